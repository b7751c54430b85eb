/**
 * Worker thread of `--from DIR` (dir-source.ts): reads and validates the folder off the
 * server's event loop, so a slow or hostile file cannot stall the API, xDS or health.
 * One job at a time; it stays up between reloads.
 */
import { parentPort } from 'node:worker_threads';
import { readManifests } from './import-manifests.js';
import type { ManifestJob, ManifestReply } from './read-manifests-off-thread.js';

parentPort?.on('message', (job: ManifestJob) => {
  void readManifests(job.paths, job.options, job.load).then((set) => {
    const reply: ManifestReply = { records: [...set.records], diagnostics: set.diagnostics };
    parentPort?.postMessage(reply);
  });
});
