/**
 * A throwaway etcd cluster on loopback for the HA tests: N members (Debian's
 * `etcd-server`, found through findProgram(ETCD)), client and peer ports chosen free at
 * run time, data in a temp folder, every member killed and its data removed by `stop`.
 * Members can be killed (-9), started again on their data, and paused (SIGSTOP: to the
 * rest of the world, a member cut off). scripts/etcd-cluster.sh does the same by hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETCD, findProgram } from '../../support/programs.js';

export interface EtcdMember {
  name: string;
  /** Client URL, e.g. http://127.0.0.1:40123 */
  endpoint: string;
  running(): boolean;
  kill9(): Promise<void>;
  /** Starts the member again on its data (it rejoins the cluster). */
  start(): Promise<void>;
  pause(): void;
  resume(): void;
}

export interface EtcdCluster {
  members: EtcdMember[];
  /** Every member's client URL. */
  endpoints: string[];
  /** Index of the raft leader, as a running member reports it. */
  leader(): Promise<number>;
  /** Kills every member and removes the data. */
  stop(): Promise<void>;
}

import { freePorts } from '../../support/free-ports.js';

export { freePort, freePorts } from '../../support/free-ports.js';

async function healthy(endpoint: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error(`etcd member at ${endpoint} exited`);
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2000) });
      if (((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // not up, or no quorum yet
    }
    if (Date.now() > deadline)
      throw new Error(`etcd member at ${endpoint} not healthy within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const found = findProgram(ETCD);
  if (!found.found) throw new Error(found.reason);
  const ports = await freePorts(2 * size);
  const root = mkdtempSync(join(tmpdir(), 'amime-etcd-cluster-'));
  const specs = Array.from({ length: size }, (_, i) => ({
    name: `m${i}`,
    client: `http://127.0.0.1:${ports[2 * i]}`,
    peer: `http://127.0.0.1:${ports[2 * i + 1]}`,
  }));
  const initialCluster = specs.map((s) => `${s.name}=${s.peer}`).join(',');
  const stderr: string[] = [];
  const members = specs.map(
    (s): EtcdMember & { launch(state: 'new' | 'existing'): void; proc?: ChildProcess } => {
      let proc: ChildProcess | undefined;
      const running = () => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
      const member = {
        name: s.name,
        endpoint: s.client,
        running,
        launch(state: 'new' | 'existing') {
          proc = spawn(
            found.path,
            [
              ...['--name', s.name, '--data-dir', join(root, s.name)],
              ...['--listen-client-urls', s.client, '--advertise-client-urls', s.client],
              ...['--listen-peer-urls', s.peer, '--initial-advertise-peer-urls', s.peer],
              ...['--initial-cluster', initialCluster, '--initial-cluster-state', state],
              ...['--initial-cluster-token', 'amime-test'],
              // A loaded 2-core machine: a member that misses a few heartbeats is not dead.
              ...['--heartbeat-interval', '100', '--election-timeout', '1500'],
              ...['--log-level', 'error'],
            ],
            { stdio: ['ignore', 'ignore', 'pipe'] },
          );
          proc.stderr?.on('data', (c: Buffer) => stderr.push(`${s.name}: ${c.toString()}`.slice(0, 500)));
        },
        async kill9() {
          if (!proc || !running()) return;
          const p = proc;
          const gone = new Promise<void>((r) => p.once('exit', () => r()));
          p.kill('SIGCONT');
          p.kill('SIGKILL');
          await gone;
        },
        async start() {
          if (running()) return;
          member.launch('existing');
          await healthy(s.client, 30_000, running);
        },
        pause: () => proc?.kill('SIGSTOP'),
        resume: () => proc?.kill('SIGCONT'),
      };
      return member;
    },
  );
  const stop = async () => {
    await Promise.all(members.map((m) => m.kill9()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const m of members) m.launch('new');
    await Promise.all(members.map((m) => healthy(m.endpoint, 30_000, m.running)));
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${stderr.slice(-10).join('')}`);
  }
  // etcd's gRPC gateway; member ids are uint64, so compare them as text.
  const status = async (endpoint: string) => {
    const res = await fetch(`${endpoint}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(2000),
    });
    const text = await res.text();
    return {
      id: /"member_id":"?(\d+)/.exec(text)?.[1],
      leader: /"leader":"?(\d+)/.exec(text)?.[1],
    };
  };
  const leader = async (): Promise<number> => {
    const running = members.filter((m) => m.running());
    const ids = await Promise.all(running.map(async (m) => (await status(m.endpoint)).id));
    const { leader: id } = await status(running[0]!.endpoint);
    const at = ids.indexOf(id);
    if (at < 0) throw new Error(`no running member is the leader (${id})`);
    return members.indexOf(running[at]!);
  };
  return { members, endpoints: members.map((m) => m.endpoint), leader, stop };
}
