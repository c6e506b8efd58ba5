/**
 * Merges jest's JSON results of the test command's runs (unit, then deploy)
 * into one file and prints the plain closing line CI reads in any language.
 *
 *   node scripts/ci-summary.js <merged.json> <run.json>...
 */
const { existsSync, readFileSync, writeFileSync } = require("node:fs");

const [merged, ...runs] = process.argv.slice(2);
const results = runs.filter((file) => existsSync(file)).map((file) => JSON.parse(readFileSync(file, "utf8")));
const sum = (key) => results.reduce((total, result) => total + result[key], 0);
const combined = {
  success: results.length === runs.length && results.every((result) => result.success),
  numTotalTests: sum("numTotalTests"),
  numPassedTests: sum("numPassedTests"),
  numFailedTests: sum("numFailedTests"),
  numPendingTests: sum("numPendingTests"),
  numTotalTestSuites: sum("numTotalTestSuites"),
  numFailedTestSuites: sum("numFailedTestSuites"),
  testResults: results.flatMap((result) => result.testResults),
};
writeFileSync(merged, JSON.stringify(combined));
const missing = runs.length - results.length;
console.log(`${combined.numPassedTests} passed, ${combined.numFailedTests} failed, ${combined.numPendingTests} skipped${missing ? ` (${missing} run(s) wrote no results)` : ""}`);
