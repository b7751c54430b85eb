/**
 * vitest globalSetup, in the main process before any worker starts: builds dist/ when
 * a source changed since the last build (tests that run the CLI or `amime serve` as
 * processes run the current code), and looks up every system program once for all
 * workers (system-programs.ts).
 */
import { buildIfChanged } from '../../scripts/build-if-changed.mjs';
import * as programs from './programs.js';

const isSpec = (v: unknown): v is programs.ProgramSpec =>
  typeof v === 'object' && v !== null && 'versionArgs' in v && 'candidates' in v;

export default function setup(): void {
  buildIfChanged();
  programs.lookUpForWorkers(Object.values(programs).filter(isSpec));
}
