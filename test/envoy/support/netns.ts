/**
 * A network made of namespaces, only for one test: a hub namespace with a bridge, and
 * one namespace per workload joined to it by a veth pair, with private addresses
 * (10.77.0.0/24) that exist only inside these namespaces. Nothing is added to, or
 * changed in, the host's own namespace: every link is created directly inside the
 * test's namespaces, and deleting the namespaces removes links and iptables rules
 * with them.
 *
 * Names carry the test process's pid (`amime<pid>-<name>`), so a later run removes what
 * a crashed run left behind (`sweepStaleNamespaces`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../support/fixtures.js';

export const SUBNET_PREFIX = '10.77.0';
export const HUB_IP = `${SUBNET_PREFIX}.1`;
/** Fake service addresses ("ClusterIPs"), routed out of each workload and redirected to Envoy before they leave. */
export const SERVICE_IP_PREFIX = '10.96.0';

const PREFIX = 'amime';
let labs = 0;
const PROXY_INIT = path.join(REPO_ROOT, 'deploy/proxy-init/proxy-init.sh');

export interface NetnsSupport {
  readonly ok: boolean;
  readonly reason: string;
}

/** Can this process make namespaces, veths and iptables rules? (root, iproute2, iptables, nsenter) */
export function netnsSupport(): NetnsSupport {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespaces need root' };
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['iptables', ['--version']],
    ['nsenter', ['--version']],
  ] as const) {
    try {
      execFileSync(cmd, args, { stdio: 'ignore' });
    } catch {
      return { ok: false, reason: `${cmd} is missing (apt-get install iproute2 iptables util-linux)` };
    }
  }
  const probe = `${PREFIX}${process.pid}-probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['-n', probe, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1'], {
      stdio: 'pipe',
    });
    return { ok: true, reason: '' };
  } catch (e) {
    return {
      ok: false,
      reason: `cannot make a network namespace with a veth: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`,
    };
  } finally {
    tryRun('ip', ['netns', 'del', probe]);
  }
}

/** Deletes namespaces an earlier test process (now gone) left. */
export function sweepStaleNamespaces(): string[] {
  const removed: string[] = [];
  const list = tryRun('ip', ['netns', 'list']) ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    if (tryRun('ip', ['netns', 'del', name]) !== undefined) removed.push(name);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tryRun(cmd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return undefined;
  }
}

function run(cmd: string, args: readonly string[], input?: string): void {
  try {
    execFileSync(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`${cmd} ${args.join(' ')}: ${err.stderr?.toString().trim() ?? String(e)}`);
  }
}

export interface Workload {
  readonly name: string;
  /** Namespace name, as `ip netns` knows it. */
  readonly ns: string;
  readonly ip: string;
}

export interface SpawnOptions {
  readonly uid?: number;
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class NetLab {
  readonly hub: Workload;
  private readonly workloads = new Map<string, Workload>();
  private readonly processes = new Set<ChildProcess>();
  private readonly namespaces: string[] = [];

  private constructor(private readonly id: string) {
    this.hub = { name: 'hub', ns: `${id}-hub`, ip: HUB_IP };
  }

  /** The hub (10.77.0.1, the bridge) and one namespace per name (10.77.0.11, .12, …). */
  static create(names: readonly string[]): NetLab {
    const lab = new NetLab(`${PREFIX}${process.pid}-${++labs}`);
    try {
      lab.addNamespace(lab.hub.ns);
      run('ip', ['-n', lab.hub.ns, 'link', 'add', 'br0', 'type', 'bridge']);
      run('ip', ['-n', lab.hub.ns, 'addr', 'add', `${HUB_IP}/24`, 'dev', 'br0']);
      run('ip', ['-n', lab.hub.ns, 'link', 'set', 'br0', 'up']);
      names.forEach((name, i) => lab.addWorkload(name, i));
      return lab;
    } catch (e) {
      lab.destroyNamespaces();
      throw e;
    }
  }

  /** Namespaces with only their own loopback: for Envoys that must not bind the host's ports. */
  static isolated(names: readonly string[]): NetLab {
    const lab = new NetLab(`${PREFIX}${process.pid}-${++labs}`);
    try {
      for (const name of names) {
        const w: Workload = { name, ns: `${lab.id}-${name}`, ip: '127.0.0.1' };
        lab.addNamespace(w.ns);
        lab.workloads.set(name, w);
      }
      return lab;
    } catch (e) {
      lab.destroyNamespaces();
      throw e;
    }
  }

  private addNamespace(ns: string): void {
    run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }

  private addWorkload(name: string, index: number): void {
    const w: Workload = { name, ns: `${this.id}-${name}`, ip: `${SUBNET_PREFIX}.${11 + index}` };
    this.addNamespace(w.ns);
    const peer = `vw${index}`;
    // Both ends are created inside the test's namespaces: the host never sees this link.
    run('ip', [
      'link',
      'add',
      'eth0',
      'netns',
      w.ns,
      'type',
      'veth',
      'peer',
      'name',
      peer,
      'netns',
      this.hub.ns,
    ]);
    run('ip', ['-n', this.hub.ns, 'link', 'set', peer, 'master', 'br0', 'up']);
    run('ip', ['-n', w.ns, 'addr', 'add', `${w.ip}/24`, 'dev', 'eth0']);
    run('ip', ['-n', w.ns, 'link', 'set', 'eth0', 'up']);
    run('ip', ['-n', w.ns, 'route', 'add', 'default', 'via', HUB_IP]);
    this.workloads.set(name, w);
  }

  workload(name: string): Workload {
    const w = this.workloads.get(name);
    if (!w) throw new Error(`no workload ${name} in the lab`);
    return w;
  }

  /**
   * Runs the sidecar injector's `proxyinit` container inside a workload: Amime's
   * deploy/proxy-init/proxy-init.sh (App Mesh's proxy route manager's rules) with the
   * APPMESH_* variables the injector gives it (src/k8s/inject/sidecar.ts). Returns what
   * it printed.
   */
  proxyInit(w: Workload, env: Readonly<Record<string, string>>): string {
    try {
      return execFileSync('nsenter', [`--net=/run/netns/${w.ns}`, '--', 'bash', PROXY_INIT], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`proxy-init in ${w.name} failed:\n${err.stdout ?? ''}${err.stderr ?? String(e)}`);
    }
  }

  /** `iptables -t nat -S` inside a workload (for assertions and failure messages). */
  natRules(w: Workload): string {
    return execFileSync('nsenter', [`--net=/run/netns/${w.ns}`, 'iptables', '-t', 'nat', '-S'], {
      encoding: 'utf8',
    });
  }

  /** Starts `command` inside the workload's namespace (optionally as `uid`); output to `logFile`. */
  spawn(w: Workload, command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
    const fd = openSync(options.logFile, 'a');
    const ids =
      options.uid !== undefined ? ['--setuid', String(options.uid), '--setgid', String(options.uid)] : [];
    // nsenter execs the command in place: the child's pid is the command's, so signals reach it.
    const child = spawn('nsenter', [`--net=/run/netns/${w.ns}`, ...ids, '--', command, ...args], {
      stdio: ['ignore', fd, fd],
      // NODE_OPTIONS off: vitest's own must not reach child node processes.
      env: options.env ?? { ...process.env, NODE_OPTIONS: '' },
    });
    closeSync(fd);
    this.processes.add(child);
    child.once('exit', () => this.processes.delete(child));
    return child;
  }

  /** Stops every process started here (SIGTERM, then SIGKILL), then deletes every namespace. */
  async destroy(): Promise<void> {
    const stopping = [...this.processes].map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null || p.signalCode !== null) return resolve();
          const timer = setTimeout(() => p.kill('SIGKILL'), 3_000);
          p.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          p.kill('SIGTERM');
        }),
    );
    await Promise.all(stopping);
    this.destroyNamespaces();
  }

  private destroyNamespaces(): void {
    for (const ns of this.namespaces.splice(0).reverse()) tryRun('ip', ['netns', 'del', ns]);
  }

  /** Namespaces of this lab that still exist (empty after `destroy`). */
  leftovers(): string[] {
    const list = tryRun('ip', ['netns', 'list']) ?? '';
    return list
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n.startsWith(`${this.id}-`));
  }
}
