import { defineConfig } from 'vitest/config';

/**
 * The unit tests beside the mutated code (AMIME_MUTATE, set by scripts/mutation.sh):
 * only the stages being mutated (src/envoy/emit → src/envoy), so a mutant in src/mesh is judged by src/mesh's tests, not by every golden translation in src/envoy
 * that happens to run through it (which made a src/mesh run take ~5 h). e2e tests stay
 * out. The fuzz test stays out too: it checks that validation never throws on 5,000
 * manifests and takes ~18 s per mutant it covers (nearly all of src/mesh), while the
 * rules' own tests assert the diagnostics.
 */
if (!process.env.AMIME_MUTATE)
  throw new Error('run npm run mutation [-- FOLDER|FILE...]: it sets AMIME_MUTATE');
const folders = process.env.AMIME_MUTATE.split(',').map((f) => f.split('/').slice(0, 2).join('/'));

export default defineConfig({
  test: {
    include: [...new Set(folders)].map((f) => `${f}/**/*.test.ts`),
    exclude: ['src/mesh/fuzz.test.ts', '**/node_modules/**'],
    testTimeout: 60_000,
    pool: 'threads',
  },
});
