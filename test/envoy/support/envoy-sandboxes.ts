/**
 * Where test Envoys run: each in a network namespace of its own when this machine can
 * make them — so no Envoy binds a port of the host, where another test may want it —
 * reaching `amime serve` through a Unix socket; else on the host, over loopback.
 */
import path from 'node:path';
import type { EnvoyOptions } from './envoy-process.js';
import { NetLab, netnsSupport, sweepStaleNamespaces } from './netns.js';
import { unixBridge } from './unix-bridge.js';

export interface EnvoySandboxes {
  /** Amime's xDS address as the Envoys reach it (`amime bootstrap --xds`). */
  readonly xds: string;
  /** Where the Envoys run, for reports. */
  readonly where: string;
  /** `EnvoyOptions.launch` for the sandbox called `name` (undefined: on the host). */
  launch(name: string): EnvoyOptions['launch'];
  close(): Promise<void>;
}

export async function envoySandboxes(
  names: readonly string[],
  dir: string,
  xdsPort: number,
): Promise<EnvoySandboxes> {
  const support = netnsSupport();
  if (!support.ok)
    return {
      xds: `127.0.0.1:${xdsPort}`,
      where: `on the host (${support.reason})`,
      launch: () => undefined,
      close: async () => undefined,
    };
  sweepStaleNamespaces();
  const bridge = await unixBridge(path.join(dir, 'xds.sock'), xdsPort);
  const lab = NetLab.isolated(names);
  return {
    xds: `unix://${bridge.path}`,
    where: 'each Envoy in a network namespace of its own',
    launch: (name) => (command, args, logFile) => lab.spawn(lab.workload(name), command, args, { logFile }),
    close: async () => {
      await lab.destroy();
      await bridge.close();
    },
  };
}
