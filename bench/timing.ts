/** Wall and CPU time of synchronous work, shared by the benchmarks that compare against a baseline in the same run. */

export interface Timing {
  /** Wall clock, ms. */
  wall: number;
  /** CPU time of this process (user + system), ms: close to the wall time of an idle machine. */
  cpu: number;
}

export function once(fn: () => void): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Best of `rounds` runs, by wall time (the one least disturbed by other work on the machine). */
export function best(fn: () => void, rounds: number): Timing {
  let top = once(fn);
  for (let r = 1; r < rounds; r++) {
    const t = once(fn);
    if (t.wall < top.wall) top = t;
  }
  return top;
}
