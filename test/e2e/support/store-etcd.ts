/**
 * A throwaway single-member etcd on loopback for tests: free ports, a temp data dir,
 * stopped and removed afterwards (platform.md §7 command line).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETCD, findProgram } from '../../support/system-programs.js';
import { freePorts } from './etcd-cluster.js';

/** The etcd binary (ETCD_BIN, else PATH); callers run inside suites that require it. */
function etcdPath(): string {
  const r = findProgram(ETCD);
  if (!r.found) throw new Error(r.reason);
  return r.path;
}

export interface LocalEtcd {
  endpoint: string;
  /** Stops etcd gracefully and starts it again on the same ports and data. */
  restart(): Promise<void>;
  /** Kills etcd (SIGKILL if it will not stop) and removes its data. */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startEtcd(): Promise<LocalEtcd> {
  const [clientPort, peerPort] = (await freePorts(2)) as [number, number];
  const etcd = etcdPath();
  const dataDir = mkdtempSync(join(tmpdir(), 'amime-etcd-'));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name',
    'amime-test',
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    client,
    '--advertise-client-urls',
    client,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `amime-test=${peer}`,
    '--log-level',
    'error',
  ];
  let child: ChildProcess;
  let stderr = '';

  const halt = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited(child);
    clearTimeout(timer);
  };
  const stop = async (): Promise<void> => {
    await halt();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const launch = async (): Promise<void> => {
    child = spawn(etcd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) {
        await stop();
        throw new Error(`etcd exited with ${child.exitCode}: ${stderr}`);
      }
      try {
        const res = await fetch(`${client}/health`);
        const body = (await res.json()) as { health?: string };
        if (body.health === 'true') return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`etcd did not become healthy within 20 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  await launch();
  return {
    endpoint: client,
    stop,
    restart: async () => {
      await halt();
      await launch();
    },
  };
}
