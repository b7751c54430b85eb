/**
 * Issue 15 (first run to production), items 8–13, as a new user meets them: `npm
 * start` and its signals, what the CLI says when the server is down or the input is
 * wrong, `get`'s names and formats, `apply --dry-run` and refusing bad input before
 * writing, `validate` on a folder without App Mesh objects, readiness, `GET /`,
 * the serve logs and start-up failures, and shell completion.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../support/free-ports.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { amime } from '../support/cli.js';
import { REPO_ROOT, SEED_AS_WRITTEN, SEED_COMPLETE } from '../support/fixtures.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'amime-first-run-'));
  serve = await startServe(['--data-dir', path.join(dir, 'data')]);
});

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('stops with its child on SIGTERM, and does not compile again when nothing changed', async () => {
    const proc = spawn(
      'npm',
      [
        'start',
        '--silent',
        '--',
        '--data-dir',
        path.join(dir, 'npm-start'),
        '--api-listen',
        '127.0.0.1:0',
        '--xds-listen',
        '127.0.0.1:0',
        '--log-format',
        'json',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    try {
      await vi.waitFor(() => expect(out).toMatch(/"api":"http:\/\/127\.0\.0\.1:\d+"/), {
        timeout: 60_000,
        interval: 100,
      });
      const api = /"api":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)![1]!;
      expect(err).not.toContain('building dist/');
      proc.kill('SIGTERM');
      await exited;
      // The server itself is gone, not just npm: nothing answers on its port any more.
      await vi.waitFor(
        async () => {
          await expect(fetch(`${api}/healthz`)).rejects.toThrow();
        },
        { timeout: 15_000, interval: 200 },
      );
    } finally {
      proc.kill('SIGKILL');
    }
  });
});

describe('client commands (get, apply)', () => {
  it('with the server down: one line naming the URL and what to do, exit 1', async () => {
    const port = await freePort();
    const r = await amime(['get', 'meshes', '--server', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      new RegExp(
        `^amime get: cannot connect to http://127\\.0\\.0\\.1:${port}.*is "amime serve" running.*\\(--server\\)$`,
      ),
    );
  });

  it('--server without a scheme means http://', async () => {
    const r = await amime(['get', 'meshes', '--server', serve.apiUrl.replace(/^http:\/\//, '')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('mesh-1');
  });

  it('get: Kubernetes names, -o name, -o wide, and "No resources found"', async () => {
    const byK8sName = await amime([
      'get',
      'vn',
      'mesh-test/vnode-1',
      '--mesh',
      'mesh-1',
      '-o',
      'json',
      '--server',
      serve.apiUrl,
    ]);
    expect(byK8sName.code, byK8sName.stderr).toBe(0);
    expect(JSON.parse(byK8sName.stdout)).toMatchObject({ virtualNodeName: 'vnode-1_mesh-test' });
    const bare = await amime([
      'get',
      'virtualnodes.appmesh.k8s.aws',
      'vnode-x',
      '--mesh',
      'mesh-1',
      '--server',
      serve.apiUrl,
    ]);
    expect(bare.stdout).toContain('vnode-x_mesh-test');

    const names = await amime(['get', 'vn', '--mesh', 'mesh-1', '-o', 'name', '--server', serve.apiUrl]);
    expect(names.stdout.trim().split('\n')).toEqual([
      'virtualnode/vnode-1_mesh-test',
      'virtualnode/vnode-2_mesh-test',
      'virtualnode/vnode-x_mesh-test',
    ]);
    const wide = await amime([
      'get',
      'routes',
      '--mesh',
      'mesh-1',
      '--virtual-router',
      'mesh-test/vrouter-1',
      '-o',
      'wide',
      '--server',
      serve.apiUrl,
    ]);
    expect(wide.stdout.split('\n')[0]).toMatch(
      /^NAME\s+MESH\s+VIRTUAL ROUTER\s+SPEC\s+VERSION\s+STATUS\s+LAST UPDATED\s+ARN$/,
    );
    expect(wide.stdout).toMatch(
      /route-1\s+mesh-1\s+vrouter-1_mesh-test\s+http · prefix \/ · vnode-1_mesh-test:1,vnode-2_mesh-test:1\s+1\s+ACTIVE/,
    );

    const none = await amime(['get', 'vg', '--mesh', 'no-such-mesh', '--server', serve.apiUrl]);
    expect(none.code === 0 ? none.stderr : none.stderr).toMatch(
      /No resources found in mesh no-such-mesh\.|NotFoundException/,
    );
    const empty = await amime([
      'get',
      'gatewayroutes',
      '--mesh',
      'mesh-1',
      '--virtual-gateway',
      'gateway-v_mesh-test',
      '--server',
      serve.apiUrl,
    ]);
    expect(empty.code).toBe(0);
    const unknown = await amime(['get', 'pods', '--server', serve.apiUrl]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown kind "pods"');
  });

  it('apply --dry-run says what would change and writes nothing; input with errors is refused before any write', async () => {
    const changed = path.join(dir, 'changed.yaml');
    writeFileSync(
      changed,
      `apiVersion: appmesh.k8s.aws/v1beta2\nkind: VirtualService\nmetadata:\n  name: svc-new\n  namespace: mesh-test\nspec:\n  provider:\n    virtualNode:\n      virtualNodeRef:\n        name: vnode-1\n`,
    );
    const dry = await amime([
      'apply',
      '-f',
      changed,
      '--mesh',
      'mesh-1',
      '--dry-run',
      '--server',
      serve.apiUrl,
    ]);
    expect(dry.stderr).toBe('');
    expect(dry.stdout.trim()).toBe('virtualservice/svc-new.mesh-test created (dry run)');
    const after = await amime(['get', 'vs', '--mesh', 'mesh-1', '-o', 'name', '--server', serve.apiUrl]);
    expect(after.stdout).not.toContain('svc-new');

    // The seed as the blog wrote it: the validator's two errors, file:line, and not one write.
    const before = await amime(['get', 'vn', '--mesh', 'mesh-1', '-o', 'json', '--server', serve.apiUrl]);
    const bad = await amime(['apply', '-f', SEED_AS_WRITTEN, '--server', serve.apiUrl]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('01-mesh-and-vnode.yaml:11:3: error: Mesh mesh-1: spec.namespaceSelector');
    expect(bad.stderr).toMatch(/amime apply: nothing was applied: \d+ errors/);
    const unchanged = await amime(['get', 'vn', '--mesh', 'mesh-1', '-o', 'json', '--server', serve.apiUrl]);
    expect(unchanged.stdout).toBe(before.stdout);
  });
});

describe('validate', () => {
  it('warns about a path that holds YAML but no App Mesh object', async () => {
    const other = path.join(dir, 'not-mesh');
    mkdirSync(other);
    writeFileSync(path.join(other, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n');
    const r = await amime(['validate', other, path.join(SEED_COMPLETE, 'mesh.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `warning: ${other}: no App Mesh (appmesh.k8s.aws/v1beta2) objects here; is it the right path? [load.no-app-mesh]`,
    );
  });
});

describe('amime serve as people run it', () => {
  it('GET / lists where the API, health, readiness and metrics are', async () => {
    const r = await fetch(`${serve.apiUrl}/`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      endpoints: { api: '/v20190125/meshes', health: '/healthz', readiness: '/readyz', metrics: '/metrics' },
    });
  });

  it('/readyz is not ready while --from has nothing valid to serve, ready once it has', async () => {
    const from = path.join(dir, 'from');
    mkdirSync(from);
    cpSync(SEED_AS_WRITTEN, from, { recursive: true });
    const s = await startServe(['--from', from]);
    try {
      const r = await fetch(`${s.apiUrl}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({
        status: 'not ready',
        reason: expect.stringContaining('have errors'),
      });
      rmSync(from, { recursive: true, force: true });
      mkdirSync(from);
      cpSync(SEED_COMPLETE, from, { recursive: true });
      await vi.waitFor(async () => expect((await fetch(`${s.apiUrl}/readyz`)).status).toBe(200), {
        timeout: 30_000,
        interval: 200,
      });
    } finally {
      await s.stop();
    }
  });

  it('a port in use: one line naming the flag, exit 1, and no half-made data directory', async () => {
    const dataDir = path.join(dir, 'never');
    const port = Number(new URL(serve.apiUrl).port);
    const r = await amime([
      'serve',
      '--data-dir',
      dataDir,
      '--api-listen',
      `127.0.0.1:${port}`,
      '--xds-listen',
      '127.0.0.1:0',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `amime serve: 127.0.0.1:${port} is already in use (--api-listen): stop what listens there (another amime serve?) or choose another address, e.g. --api-listen 127.0.0.1:${port + 1}`,
    ]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('logs one readable line per event with --log-format text, JSON with json', async () => {
    const text = await amime([
      'serve',
      '--from',
      path.join(dir, 'nope'),
      '--log-format',
      'text',
      '--api-listen',
      'nonsense',
    ]);
    expect(text.code).toBe(2);
    expect(text.stderr.trim()).toBe(
      'amime serve: --api-listen: expected host:port (e.g. 127.0.0.1:9080), got "nonsense"',
    );
    const s = await startServe(['--data-dir', path.join(dir, 'text-logs')], { logFormat: 'text' });
    try {
      expect(s.stdoutText()).toMatch(
        /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: amime is serving: REST API http:\/\/127\.0\.0\.1:\d+\/v20190125/m,
      );
    } finally {
      await s.stop();
    }
  });

  it('a bad config file names the file and the key; bad flags exit 2', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'xds:\n  maxProxiesPerNode: lots\n');
    const r = await amime(['serve', '-c', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`amime serve: ${file}: invalid configuration`);
    expect(r.stderr).toContain('xds.maxProxiesPerNode');
    expect((await amime(['serve', '--store', 'postgres'])).code).toBe(2);
  });
});

describe('completion', () => {
  function complete(line: string): Promise<string[]> {
    const script = `${completionScript}\nCOMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _amime_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return new Promise((resolve, reject) =>
      execFile('bash', ['-c', script], (e, stdout) =>
        e ? reject(e) : resolve(stdout.split('\n').filter(Boolean)),
      ),
    );
  }
  let completionScript = '';

  it('bash: commands, their flags and the choices of a flag; zsh and fish scripts are generated too', async () => {
    const bash = await amime(['completion', 'bash']);
    expect(bash.code).toBe(0);
    completionScript = bash.stdout;
    expect(await complete('amime se')).toEqual(['serve']);
    expect(await complete('amime serve --log-f')).toEqual(['--log-format']);
    expect(await complete('amime serve --store ""')).toEqual(['sqlite', 'memory', 'etcd', 'kubernetes']);
    expect(await complete('amime get -o w')).toEqual(['wide']);
    expect((await amime(['completion', 'zsh'])).stdout).toContain('bashcompinit');
    const fish = await amime(['completion', 'fish']);
    expect(fish.stdout).toContain('complete -c amime -n __fish_use_subcommand -a serve');
    expect(fish.stdout).toContain("-l log-format -x -a 'text json'");
    expect((await amime(['completion', 'tcsh'])).code).toBe(2);
  });
});
