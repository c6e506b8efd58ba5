/** Runs the deployment tests in the order of their file names: the labs' checks, then the life cycle that changes the stack. */
const Sequencer = require("@jest/test-sequencer").default;

module.exports = class ByName extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => a.path.localeCompare(b.path));
  }
};
