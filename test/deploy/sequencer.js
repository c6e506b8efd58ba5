/**
 * The deployment tests run in the order of their file names: the labs' checks
 * first, then the life cycle that changes the stack. Every other test keeps
 * jest's own order (slowest first, for the parallel workers).
 */
const Sequencer = require("@jest/test-sequencer").default;

const isDeployTest = (test) => test.path.includes("/test/deploy/");

module.exports = class DeployTestsByName extends Sequencer {
  sort(tests) {
    const deploy = tests.filter(isDeployTest).sort((a, b) => a.path.localeCompare(b.path));
    return [...super.sort(tests.filter((test) => !isDeployTest(test))), ...deploy];
  }
};
