/**
 * System programs some tests need (etcd, the aws CLI v2, Envoy, Chromium): where they
 * are, which version (programs.ts, re-exported here), and what to do when one is missing.
 *
 * The rule (README, "Tests"): a test that needs a program finds it on PATH or through
 * its variable, checks its version, and when it is missing is skipped with one line
 * saying what to install. With AMIME_REQUIRE_ALL=1 (set by .ci/run) a missing program
 * fails the suite instead, so CI always runs everything.
 */
import { describe, it } from 'vitest';
import { findProgram, requireAll, type FoundProgram, type ProgramSpec } from './programs.js';

export * from './programs.js';

/** Something else a suite needs from the machine (root, network namespaces, …), checked by the suite. */
export interface Capability {
  readonly ok: boolean;
  /** One line: what is missing and how to get it. */
  readonly reason: string;
}

/**
 * `describe` that runs only when every program is present (and every `requires` holds). Missing: the suite is
 * skipped and its title carries the one-line reason (the summary lists it); under
 * AMIME_REQUIRE_ALL=1 it fails instead. `body` receives the programs found.
 */
export function describeWithPrograms(
  title: string,
  specs: readonly ProgramSpec[],
  body: (programs: ReadonlyMap<ProgramSpec, FoundProgram>) => void,
  options: { timeout?: number; requires?: readonly Capability[] } = {},
): void {
  const found = new Map<ProgramSpec, FoundProgram>();
  const missing: string[] = [];
  for (const spec of specs) {
    const r = findProgram(spec);
    if (r.found) found.set(spec, { path: r.path, version: r.version });
    else missing.push(r.reason);
  }
  for (const c of options.requires ?? []) if (!c.ok) missing.push(c.reason);
  if (missing.length === 0) {
    describe(title, { ...(options.timeout ? { timeout: options.timeout } : {}) }, () => body(found));
    return;
  }
  const reason = missing.join('; ');
  if (requireAll()) {
    describe(title, () => {
      it(`needs a system program (AMIME_REQUIRE_ALL is set): ${reason}`, () => {
        throw new Error(`missing system program: ${reason}`);
      });
    });
    return;
  }
  describe.skipIf(true)(`${title} [skipped: ${reason}]`, () => {
    it('needs a system program', () => undefined);
  });
}

/** The program's path, for a test that already ran inside `describeWithPrograms`. */
export function programPath(programs: ReadonlyMap<ProgramSpec, FoundProgram>, spec: ProgramSpec): string {
  const p = programs.get(spec);
  if (!p) throw new Error(`${spec.name} was not looked up for this suite`);
  return p.path;
}
