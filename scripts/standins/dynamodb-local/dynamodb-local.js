#!/usr/bin/env node
// DynamoDB Local's command line (`java [-D...] -jar DynamoDBLocal.jar
// [-port N] [-dbPath DIR | -inMemory] [-sharedDb] ...`, entered after the
// image's `java` entrypoint) served by dynalite: the DynamoDB API on the
// port, its data under -dbPath. Tables are ACTIVE at once, as in DynamoDB
// Local, unless -delayTransientStatuses is given. This is a stand-in: it
// says so when it starts.
"use strict";
const dynalite = require("dynalite");

function usage(problem) {
  console.error(`dynamodb-local stand-in: ${problem}`);
  console.error("usage: -jar DynamoDBLocal.jar [-port <n>] [-dbPath <dir> | -inMemory] [-sharedDb] [-delayTransientStatuses] [-cors <origins>] [-optimizeDbBeforeStartup] [-disableTelemetry]");
  process.exit(2);
}

function parse(args) {
  const options = { port: 8000, path: undefined, inMemory: false, delay: false };
  const value = (i, flag) => (i + 1 < args.length ? args[i + 1] : usage(`${flag} needs a value`));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith("-D") || arg.startsWith("-X")) continue; // JVM options
    switch (arg) {
      case "-jar": {
        const jar = value(i, arg);
        if (jar !== "DynamoDBLocal.jar") usage(`-jar ${jar}: only DynamoDBLocal.jar is served here`);
        i++;
        break;
      }
      case "-port": {
        const port = Number(value(i, arg));
        if (!Number.isInteger(port) || port < 1 || port > 65535) usage(`-port ${args[i + 1]}: not a port number`);
        options.port = port;
        i++;
        break;
      }
      case "-dbPath":
        options.path = value(i, arg);
        i++;
        break;
      case "-cors":
        i++; // dynalite answers every origin
        break;
      case "-inMemory":
        options.inMemory = true;
        break;
      case "-delayTransientStatuses":
        options.delay = true;
        break;
      case "-sharedDb": // dynalite keeps one database whatever the credentials
      case "-optimizeDbBeforeStartup":
      case "-disableTelemetry":
        break;
      case "-help":
        usage("help");
        break;
      default:
        usage(`unknown option ${arg}`);
    }
  }
  if (options.inMemory && options.path) usage("-inMemory and -dbPath exclude each other");
  return options;
}

const options = parse(process.argv.slice(2));
const delays = options.delay ? {} : { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 };
const server = dynalite({ path: options.path, ...delays });
server.listen(options.port, "0.0.0.0", () => {
  const storage = options.path ? `data in ${options.path}` : "data in memory";
  console.log(`dynamodb-local stand-in (dynalite, not Amazon's DynamoDB Local): port ${options.port}, ${storage}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
