/**
 * The Docker image starts (issue 15 item 14). No Docker engine runs on the development
 * machines, so the image is checked by other means: the Dockerfile's runtime stage is
 * read, every file it copies from the build context must pass .dockerignore, the image's
 * /app is staged in a temporary folder the way its COPY lines lay it out, and its
 * ENTRYPOINT + CMD run there as the container would: it must seed the example mesh and
 * listen on 0.0.0.0. The proxy-init stage's script must be in the context too.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';
import { tempDir } from '../support/temp-dir.js';

interface Stage {
  name: string;
  lines: string[];
}

function stages(): Stage[] {
  const text = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const out: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ name: from[1] ?? '', lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const json = (line: string, instruction: string): string[] =>
  JSON.parse(line.slice(instruction.length).trim()) as string[];

/** .dockerignore as Docker reads it: the last pattern matching a path (or a folder above it) decides. */
function dockerignored(): (file: string) => boolean {
  const rules = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const pattern = (negated ? l.slice(1) : l).replace(/^\/|\/$/g, '');
      const source = pattern
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*');
      return { negated, re: new RegExp(`^${source}$`) };
    });
  return (file) => {
    const parts = file.split('/');
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) if (candidates.some((c) => rule.re.test(c))) excluded = !rule.negated;
    return excluded;
  };
}

function filesUnder(relative: string): string[] {
  const full = path.join(REPO_ROOT, relative);
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full).flatMap((name) => filesUnder(path.join(relative, name)));
}

describe('the Docker image (Dockerfile, .dockerignore)', () => {
  const all = stages();
  const runtime = all.at(-1)!;
  const ignored = dockerignored();

  it('the default target is the runtime stage; every file it and proxy-init copy from the context passes .dockerignore', () => {
    expect(runtime.name).toBe('runtime');
    const fromContext = all
      .filter((s) => s.name === 'runtime' || s.name === 'proxy-init' || s.name === 'build')
      .flatMap((s) => s.lines)
      .filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1, -1));
    expect(fromContext).toEqual(
      expect.arrayContaining(['examples/seed', 'deploy/install.yaml', 'deploy/proxy-init/proxy-init.sh']),
    );
    for (const source of fromContext) {
      expect(existsSync(path.join(REPO_ROOT, source)), source).toBe(true);
      for (const file of filesUnder(source).filter((f) => !/\.test\.ts$|\.testkit\.ts$|\/testdata\//.test(f)))
        expect(ignored(file), `${file} is excluded by .dockerignore`).toBe(false);
    }
    const proxyInit = all.find((s) => s.name === 'proxy-init')!;
    const entry = json(
      proxyInit.lines.find((l) => l.startsWith('ENTRYPOINT'))!,
      'ENTRYPOINT',
    );
    expect(entry).toEqual(['/usr/local/bin/proxy-init']);
    expect(proxyInit.lines).toContain('COPY deploy/proxy-init/proxy-init.sh /usr/local/bin/proxy-init');
  });

  // ENV K=V … lines of the runtime stage: what the container's processes start with.
  const runtimeEnv = Object.fromEntries(
    runtime.lines
      .filter((l) => /^ENV\s/.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

  it("runs in production mode, with glibc's mmap threshold at 16 KiB (memory per connected proxy, bench/README)", () => {
    expect(runtimeEnv).toEqual({ NODE_ENV: 'production', MALLOC_MMAP_THRESHOLD_: '16384' });
  });

  it('staged as the runtime stage lays out /app, ENTRYPOINT + CMD seed the example mesh and listen on 0.0.0.0', async () => {
    const app = path.join(tempDir('amime-image-'), 'app');
    for (const line of runtime.lines.filter((l) => /^COPY\s/i.test(l))) {
      const words = line.split(/\s+/);
      const [source, target] = [words.at(-2)!, words.at(-1)!];
      // From the build stage: what `npm ci` + `tsc` + `npm prune` leave in /app (the repository's, built by globalSetup).
      const from = line.includes('--from=build')
        ? path.join(REPO_ROOT, source.replace(/^\/app\//, ''))
        : path.join(REPO_ROOT, source);
      const to = path.join(app, target);
      if (path.basename(from) === 'node_modules') symlinkSync(from, to);
      else cpSync(from, to, { recursive: true });
    }
    expect(runtime.lines.some((l) => /^WORKDIR \/app$/.test(l))).toBe(true);
    const entrypoint = json(
      runtime.lines.find((l) => l.startsWith('ENTRYPOINT'))!,
      'ENTRYPOINT',
    );
    const cmd = json(
      runtime.lines.find((l) => l.startsWith('CMD'))!,
      'CMD',
    );
    expect(cmd).toEqual([
      'serve',
      '--api-listen=0.0.0.0:9080',
      '--xds-listen=0.0.0.0:15010',
      '--insecure-xds',
    ]);
    // Port 0 instead of the CMD's fixed ports (a test must not take 9080); the last flag wins.
    const [program, ...args] = entrypoint;
    expect(program).toBe('node');
    const proc = spawn(
      process.execPath,
      [...args, ...cmd, '--api-listen=0.0.0.0:0', '--xds-listen=0.0.0.0:0', '--log-format=json'],
      {
        cwd: app,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', ...runtimeEnv },
      },
    );
    let out = '';
    let err = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
    try {
      await vi.waitFor(() => expect(out, err).toContain('amime is serving'), {
        timeout: 60_000,
        interval: 100,
      });
      expect(out).toContain('fresh data directory: loaded the example mesh');
      const api = /"api":"http:\/\/0\.0\.0\.0:(\d+)"/.exec(out);
      expect(api, out).not.toBeNull();
      expect(out).toMatch(/"xds":"0\.0\.0\.0:\d+"/);
      const meshes = (await (await fetch(`http://127.0.0.1:${api![1]}/v20190125/meshes`)).json()) as {
        meshes: Array<{ meshName: string }>;
      };
      expect(meshes.meshes.map((m) => m.meshName)).toEqual(['mesh-1']);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((resolve) => proc.once('exit', resolve));
    }
  });
});
