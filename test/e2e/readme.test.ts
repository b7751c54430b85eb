/**
 * The README runs as written (issue 15 item 6): every shell block marked `runnable`
 * (```` ```sh runnable ````, optionally `expect-exit=N`) runs as pasted, in order, in one
 * bash session, from the repository root, against a started `amime serve` with the
 * seed mesh. The only change: the README's 127.0.0.1:9080 and :15010 become the test
 * server's ports (a test must not take fixed ports). `aws` is the AWS CLI v2 and
 * `envoy` a real Envoy, first on PATH as the README asks.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/fixtures.js';
import { AWS_CLI_V2, ENVOY, describeWithPrograms, programPath } from '../support/system-programs.js';
import { startServe, type ServeProcess } from './support/serve-process.js';

interface Block {
  expectExit: number;
  text: string;
}

export function runnableBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```sh runnable([^\n]*)\n([\s\S]*?)^```/gm)].map((m) => ({
    expectExit: Number(/expect-exit=(\d+)/.exec(m[1]!)?.[1] ?? 0),
    text: m[2]!,
  }));
}

/** One bash script: each block with errexit on, except that a block expected to fail may, with that code. */
function script(blocks: Block[]): string {
  return [
    'set -uo pipefail',
    ...blocks.map((b, i) =>
      b.expectExit === 0
        ? `set -e\n${b.text}set +e`
        : `set +e\n${b.text}rc=$?\n[ "$rc" -eq ${b.expectExit} ] || { echo "README block ${i + 1} exited $rc, expected ${b.expectExit}" >&2; exit 1; }`,
    ),
  ].join('\n');
}

describeWithPrograms('README.md, runnable blocks', [AWS_CLI_V2, ENVOY], (programs) => {
  let dir: string;
  let serve: ServeProcess;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amime-readme-'));
    mkdirSync(path.join(dir, 'bin'));
    symlinkSync(programPath(programs, AWS_CLI_V2), path.join(dir, 'bin', 'aws'));
    symlinkSync(programPath(programs, ENVOY), path.join(dir, 'bin', 'envoy'));
    serve = await startServe(['--data-dir', path.join(dir, 'data')]);
  });
  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
    // What the README's blocks write in the repository root.
    rmSync(path.join(REPO_ROOT, 'envoy.yaml'), { force: true });
  });

  it('runs every runnable block as pasted, from the repository root, against a started server', async () => {
    const blocks = runnableBlocks(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const api = new URL(serve.apiUrl).host;
    const text = script(blocks)
      .replaceAll('127.0.0.1:9080', api)
      .replaceAll('127.0.0.1:15010', `127.0.0.1:${serve.xdsPort}`);
    // Output to files, not pipes: Envoy opens /dev/stdout (its admin access log), which a socket pair cannot be.
    const outFile = path.join(dir, 'stdout');
    const errFile = path.join(dir, 'stderr');
    const [outFd, errFd] = [openSync(outFile, 'w'), openSync(errFile, 'w')];
    const code = await new Promise<number | null>((resolve) => {
      const proc = spawn('bash', ['-c', text], {
        cwd: REPO_ROOT,
        stdio: ['ignore', outFd, errFd],
        env: {
          PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}`,
          HOME: dir,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_PAGER: '',
          NO_COLOR: '1',
        },
      });
      const timer = setTimeout(() => proc.kill('SIGKILL'), 240_000);
      proc.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    closeSync(outFd);
    closeSync(errFd);
    const out = readFileSync(outFile, 'utf8');
    expect(code, `${out}\n--- stderr\n${readFileSync(errFile, 'utf8')}`).toBe(0);
    // What the README says the blocks show.
    expect(out).toContain('vnode-x_mesh-test');
    expect(out).toContain('1 mesh · 6 resources · 2 errors · 0 warnings');
    expect(out).toMatch(/virtualnode\/vnode-1_mesh-test (unchanged|configured)( \(dry run\))?/);
  }, 300_000);
});

it('every README block marked runnable is found (the marker is spelled as the test reads it)', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  expect(runnableBlocks(readme).length).toBe((readme.match(/^```sh runnable/gm) ?? []).length);
});
