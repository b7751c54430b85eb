/**
 * Long synchronous work in time slices. The work is a generator that yields wherever it
 * may pause; `inSlices` runs it and, once a slice of `sliceMs` has been spent since the
 * event loop last had a turn, gives it one (setImmediate: the I/O, timers and other
 * immediates that came meanwhile run, then the work goes on), so REST calls and xDS
 * streams are answered while the work runs instead of after it. `toEnd` runs the same
 * steps without pausing. A step is never cut: a slice is at least one step long.
 *
 * A step may also yield a `SliceWait`: `inSlices` then waits for it before going on (the
 * loop does everything else meanwhile); `toEnd` does not wait.
 */
import { performance } from 'node:perf_hooks';

/**
 * Default slice, in ms (`amime serve --translation-slice-ms`): a REST write (3–4 ms of
 * work) or an xDS ACK that comes during a long pipeline run waits about this long for the
 * loop, and a run of ~1 ms per proxy group gives the loop a turn every ~10 groups.
 */
export const DEFAULT_SLICE_MS = 10;

/** What a step yields to have `inSlices` wait for `until` before the next step. */
export class SliceWait {
  constructor(readonly until: () => Promise<void>) {}
}

/** Runs `steps` to the end, giving the event loop a turn after each `sliceMs` of work; resolves with what it returns. */
export async function inSlices<R>(steps: Iterator<unknown, R, undefined>, sliceMs: number): Promise<R> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value instanceof SliceWait) {
      await step.value.until();
      sliceStart = performance.now();
    } else if (performance.now() - sliceStart >= sliceMs) {
      await loopTurn();
      sliceStart = performance.now();
    }
  }
}

/** Runs `steps` to the end without pausing. */
export function toEnd<R>(steps: Iterator<unknown, R, undefined>): R {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Resolves on the check phase of the event loop's next turn, after its I/O and timers. */
function loopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
