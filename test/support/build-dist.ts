/**
 * vitest globalSetup: builds dist/ when a source changed since the last build, so
 * tests that run the CLI or `amime serve` as processes run the current code.
 */
import { buildIfChanged } from '../../scripts/build-if-changed.mjs';

export default function setup(): void {
  buildIfChanged();
}
