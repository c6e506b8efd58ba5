/** Prints jest's JSON results as the plain closing line CI reads in any language. */
const results = require(require("node:path").resolve(process.argv[2]));
console.log(`${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests} skipped`);
