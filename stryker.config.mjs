// Mutation testing of the pure stages and the xDS server: `npm run mutation` (all three
// folders, long), `npm run mutation -- src/xds` (one or more folders) or
// `npm run mutation -- src/xds/sotw-stream.ts` (files). Not part of `npm test`.
// Only the unit tests beside the code run against each mutant (vitest.mutation.config.ts):
// end-to-end tests start processes that would not see the mutant anyway.
if (!process.env.AMIME_MUTATE)
  throw new Error('run npm run mutation [-- FOLDER|FILE...]: it sets AMIME_MUTATE');
const folders = process.env.AMIME_MUTATE.split(',');

// What each folder mutates. In src/xds the protocol core only: the gRPC, auth and
// status edges are exercised by the e2e tests, which do not run here.
const SCOPE = {
  'src/xds': [
    'src/xds/{sotw-stream,delta-stream,sotw-response,snapshot-cache,frames,identity,limits,subscription,type-urls}.ts',
  ],
};
const globsOf = (f) => (f.endsWith('.ts') ? [f] : (SCOPE[f] ?? [`${f}/**/*.ts`]));

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  checkers: [],
  mutate: [
    ...folders.flatMap(globsOf),
    '!src/**/*.test.ts',
    '!src/**/*.testkit.ts',
    '!src/**/testdata/**',
    '!src/**/index.ts',
  ],
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
