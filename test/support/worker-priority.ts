/**
 * vitest setupFile: test workers (and the processes they start) run at a lower CPU
 * priority than vitest's main process, so on a busy machine the main process still
 * answers the workers' messages in time ("Timeout calling onTaskUpdate" otherwise).
 */
import { getPriority, setPriority } from 'node:os';

try {
  setPriority(Math.min(19, getPriority(process.ppid) + 5));
} catch {
  // Not allowed here (another user's parent): the default priority is fine.
}
