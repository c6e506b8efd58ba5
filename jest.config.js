/**
 * Two jest projects:
 * - "unit": the Pulumi program under mocks (test/), every package and image as
 *   processes (their test/ folders), the real-engine image tests (test/engine),
 *   the policy pack;
 * - "deploy": the `ci` stack deployed for real on the private engine
 *   (test/deploy): its setup runs `npm run up -- --stack ci` once, its files
 *   run in band in name order (checks of each lab first, then the stack's life
 *   cycle, which changes it), and its teardown runs `npm run down`.
 * scripts/test.sh runs them one after the other.
 */
const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
const ignored = ["/node_modules/", "/dist/"];

module.exports = {
  projects: [
    {
      displayName: "unit",
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/**/*.test.ts", "<rootDir>/packages/*/test/**/*.test.ts", "<rootDir>/images/*/*/test/**/*.test.ts", "<rootDir>/policy/test/**/*.test.ts"],
      testPathIgnorePatterns: [...ignored, "<rootDir>/test/deploy/"],
      transform,
    },
    {
      displayName: "deploy",
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/deploy/**/*.test.ts"],
      testPathIgnorePatterns: ignored,
      transform,
      globalSetup: "<rootDir>/test/deploy/setup.ts",
      globalTeardown: "<rootDir>/test/deploy/teardown.ts",
      // A deployment step takes minutes: test/deploy/timeout.ts gives each test 15.
      setupFilesAfterEnv: ["<rootDir>/test/deploy/timeout.ts"],
    },
  ],
  // Both are options of the whole run, not of a project.
  testTimeout: 30000,
  testSequencer: "<rootDir>/test/deploy/sequencer.js",
};
