/**
 * Full translation + encoding of bench:translate's mesh by two or more checkouts of
 * Amime, in one process, alternating: `npm run bench:translate-ab -- DIR DIR…` (each DIR
 * a checkout's root, e.g. a `git worktree` of another commit).
 *
 * Separate runs of bench:translate on a shared machine differ by more than the change
 * being judged (another engineer's build starts in between); here every round runs each
 * checkout once, in turn, the order flipped every round, so the load weighs on all alike.
 * Prints CPU time (process-wide: the collector's threads count) of the translation and
 * of the encoding, and the medians and least totals with the first round left out (warm-up).
 */
import path from 'node:path';

interface Phase {
  translate: number;
  encode: number;
  wall: number;
}

interface Subject {
  dir: string;
  run: () => Phase;
}

type Loaded = Record<string, (...args: unknown[]) => unknown>;

const dirs = process.argv.slice(2).map((d) => path.resolve(d));
if (dirs.length < 2) {
  console.error('usage: npm run bench:translate-ab -- DIR DIR [DIR…]   (checkout roots to compare)');
  process.exit(2);
}
const ROUNDS = Number(process.env.AB_ROUNDS ?? 7);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:translate-ab does)');

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function load(dir: string): Promise<Subject> {
  const from = async (file: string) => (await import(path.join(dir, file))) as Loaded;
  const mesh = await from('src/mesh/index.ts');
  const root = await from('src/proto/root.ts');
  const endpointsOf = await from('src/envoy/endpoints.ts');
  const benchMesh = await from('bench/translate-mesh.ts');
  const translator = (await import(path.join(dir, 'src/envoy/translator.ts'))) as {
    Translator: new () => { update(graph: unknown, endpoints: unknown): { groups: Map<string, unknown> } };
  };
  const translate = await from('src/envoy/translate.ts');
  root.envoyRoot!();
  const resources = (benchMesh.meshResources!() as unknown[]).map((resource) => ({ resource }));
  const graph = mesh.buildMeshGraph!(
    { resources },
    { quotas: (benchMesh as unknown as { QUOTAS: unknown }).QUOTAS },
  );
  const endpoints = endpointsOf.staticEndpoints!(benchMesh.endpointTable!());
  return {
    dir,
    run: () => {
      const c0 = cpu();
      const t0 = performance.now();
      const full = new translator.Translator().update(graph, endpoints);
      const c1 = cpu();
      let bytes = 0;
      for (const res of full.groups.values())
        for (const m of Object.values(translate.encodeResources!(res) as Record<string, { size: number }>))
          bytes += m.size;
      const c2 = cpu();
      if (bytes === 0) throw new Error(`${dir}: nothing encoded`);
      return { translate: c1 - c0, encode: c2 - c1, wall: performance.now() - t0 };
    },
  };
}

const subjects: Subject[] = [];
for (const d of dirs) subjects.push(await load(d));
const results = new Map<Subject, Phase[]>(subjects.map((s) => [s, []]));
const width = Math.max(...dirs.map((d) => d.length));
for (let r = 0; r < ROUNDS; r++) {
  for (const s of r % 2 === 0 ? subjects : [...subjects].reverse()) {
    gc();
    const p = s.run();
    results.get(s)!.push(p);
    console.log(
      `round ${r + 1} ${s.dir.padEnd(width)}  CPU translate ${p.translate.toFixed(0)} ms, encode ${p.encode.toFixed(0)} ms, total ${(p.translate + p.encode).toFixed(0)} ms`,
    );
  }
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const first = subjects[0]!;
const total = (s: Subject) =>
  median(
    results
      .get(s)!
      .slice(1)
      .map((p) => p.translate + p.encode),
  );
// CPU time leaves out time spent waiting, but another process on the same cores still
// slows this one (caches, memory bandwidth): the least of the rounds is the least disturbed.
const least = (s: Subject) =>
  Math.min(
    ...results
      .get(s)!
      .slice(1)
      .map((p) => p.translate + p.encode),
  );
console.log(
  `\nmedians of rounds 2..${ROUNDS} (CPU ms), ratio to ${first.dir}; then the least total of those rounds`,
);
for (const s of subjects) {
  const list = results.get(s)!.slice(1);
  console.log(
    `${s.dir.padEnd(width)}  translate ${median(list.map((p) => p.translate)).toFixed(0)}  encode ${median(list.map((p) => p.encode)).toFixed(0)}  total ${total(s).toFixed(0)}  ${(total(s) / total(first)).toFixed(2)}×  least ${least(s).toFixed(0)}  ${(least(s) / least(first)).toFixed(2)}×`,
  );
}
