/**
 * An Envoy binary another user can run. App Mesh ran Envoy as uid 1337 (the uid its
 * iptables rules exempt); the Envoy found for the tests may sit where only root can
 * reach it (pip's wrapper under /root/.pyenv, say). Then the binary the wrapper
 * execs is copied once into a world-readable cache in the temporary folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function runsAs(binary: string, uid: number): boolean {
  try {
    const out = execFileSync(
      'nsenter',
      ['--setuid', String(uid), '--setgid', String(uid), '--', binary, '--version'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20_000,
      },
    );
    return /version:/.test(out);
  } catch {
    return false;
  }
}

function isElf(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  }
}

/** The executable a (possibly wrapped) Envoy command ends up running: read from a short-lived instance. */
async function realBinary(envoy: string): Promise<string> {
  if (isElf(envoy)) return envoy;
  const dir = mkdtempSync(path.join(tmpdir(), 'amime-envoy-which-'));
  const config = path.join(dir, 'envoy.json');
  writeFileSync(
    config,
    JSON.stringify({ admin: { address: { pipe: { path: path.join(dir, 'admin.sock') } } } }),
  );
  const child = spawn(envoy, ['-c', config, '--disable-hot-restart', '--concurrency', '1', '-l', 'off'], {
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const exe = readlinkSync(`/proc/${child.pid}/exe`);
        if (path.basename(exe) === 'envoy' && isElf(exe)) return exe;
      } catch {
        // not started yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`could not tell which binary ${envoy} runs`);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `envoy` if `uid` can run it, else a world-readable copy of the binary it runs. */
export async function envoyRunnableBy(envoy: string, uid: number, version: string): Promise<string> {
  if (runsAs(envoy, uid)) return envoy;
  const binary = await realBinary(envoy);
  const cacheDir = path.join(tmpdir(), `amime-envoy-${version}-${statSync(binary).size}`);
  const copy = path.join(cacheDir, 'envoy');
  if (!existsSync(copy)) {
    mkdirSync(cacheDir, { recursive: true });
    chmodSync(cacheDir, 0o755);
    // Copy then rename: a concurrent test run never sees half a binary.
    const partial = `${copy}.${process.pid}`;
    copyFileSync(binary, partial);
    chmodSync(partial, 0o755);
    renameSync(partial, copy);
  }
  if (!runsAs(copy, uid)) throw new Error(`uid ${uid} cannot run ${copy} (copied from ${binary})`);
  return copy;
}
