// Builds dist/ (tsc -p tsconfig.build.json) only when a source or build setting changed
// since the last successful build, so `npm start` and the tests start at once when
// nothing did. Plain JavaScript: it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.built');

/** Newest modification time of the files under `entry` that reach dist/ (tests and testdata do not). */
function newestMtime(entry) {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return /\.test\.ts$|\.testkit\.ts$/.test(entry) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry))
    if (name !== 'testdata') newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

export function buildIfChanged({ quiet = false } = {}) {
  const inputs = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
  const newest = Math.max(...inputs.map((f) => newestMtime(path.join(root, f))));
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return false;
  if (!quiet) process.stderr.write('building dist/ (tsc -p tsconfig.build.json)…\n');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  // The console's browser bundle (esbuild), in a child so this stays synchronous.
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-ui.mjs')], {
    stdio: quiet ? 'ignore' : 'inherit',
  });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    buildIfChanged();
  } catch {
    // tsc printed the errors.
    process.exit(1);
  }
}
