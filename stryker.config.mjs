// Mutation testing of the pure stages and the xDS server: `npm run mutation` (all three
// folders) or `npm run mutation -- src/xds` (one or more folders). Not part of `npm test`.
// Only the unit tests beside the code run against each mutant (vitest.mutation.config.ts):
// end-to-end tests start processes that would not see the mutant anyway.
const folders = (process.env.AMIME_MUTATE ?? 'src/mesh,src/envoy,src/xds').split(',');

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  checkers: [],
  mutate: folders.flatMap((f) => [
    `${f}/**/*.ts`,
    `!${f}/**/*.test.ts`,
    `!${f}/**/*.testkit.ts`,
    `!${f}/**/testdata/**`,
    `!${f}/**/index.ts`,
  ]),
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: Number(process.env.AMIME_MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
