/** Resident memory of a process, for tests that bound what a client can make a server hold. */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes (Linux /proc). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

export const MB = 1024 * 1024;
