/**
 * Test-only, loaded into a service process with `--require`: names listed in
 * the JSON file $TEST_HOSTS_FILE, e.g. {"rng.test": ["127.0.0.2", "127.0.0.3"]},
 * resolve to those addresses, as Docker's DNS resolves a service alias to
 * every replica. The file is read at every lookup, so a test can add a
 * replica while the process runs. The addresses come back in the file's
 * order every time, as from a resolver that sorts its answers: only a client
 * that chooses among all of them spreads its calls. Other names resolve as usual.
 */
"use strict";
const dns = require("node:dns");
const { readFileSync } = require("node:fs");

const resolveAsUsual = dns.lookup;

dns.lookup = function lookupTestHosts(hostname, options, callback) {
  if (typeof options === "function") return lookupTestHosts(hostname, {}, options);
  if (typeof options === "number") return lookupTestHosts(hostname, { family: options }, callback);
  const addresses = JSON.parse(readFileSync(process.env.TEST_HOSTS_FILE, "utf8"))[hostname];
  if (!addresses) return resolveAsUsual.call(dns, hostname, options, callback);
  const answers = addresses.map((address) => ({ address, family: 4 }));
  process.nextTick(() => (options.all ? callback(null, answers) : callback(null, answers[0].address, 4)));
};
