import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../model/index.js';
import { decode } from './decode.js';

export interface InputFile {
  /** As given, or the given folder joined with the names below it. */
  path: string;
  text: string;
}

export interface ReadResult {
  files: InputFile[];
  diagnostics: Diagnostic[];
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/*
 * The walk is written once, as a generator that yields file-system requests; a sync
 * and an async driver answer them. So both variants visit the same files in the same
 * order by construction.
 */
type FsRequest =
  | { op: 'stat'; path: string }
  | { op: 'readdir'; path: string }
  | { op: 'read'; path: string }
  | { op: 'realpath'; path: string };

interface Failure {
  failed: string;
}
type Stat = { type: 'file' | 'dir' | 'other'; size: number };
type Walk<T> = Generator<FsRequest, T, unknown>;

function* ask<T>(request: FsRequest): Walk<T | Failure> {
  return (yield request) as T | Failure;
}

function failed(x: unknown): x is Failure {
  return typeof x === 'object' && x !== null && 'failed' in x;
}

function* collect(paths: ReadonlyArray<string>, maxBytes: number): Walk<ReadResult> {
  const result: ReadResult = { files: [], diagnostics: [] };
  const seen = new Set<string>();
  const problem = (
    code: string,
    p: string,
    message: string,
    withSource: boolean,
    severity: 'error' | 'warning' = 'error',
  ) => {
    const d: Diagnostic = { severity, code, path: '', message };
    if (withSource) d.source = { file: p, line: 1, col: 1 };
    result.diagnostics.push(d);
  };

  function* addFile(p: string, stat: Stat): Walk<void> {
    const real = yield* ask<string>({ op: 'realpath', path: p });
    const key = failed(real) ? path.resolve(p) : real;
    if (seen.has(key)) return; // named twice, or reached through a symlink: read once
    seen.add(key);
    if (stat.size > maxBytes)
      return problem('load.too-large', p, `${p} is ${stat.size} bytes; the limit is ${maxBytes}`, true);
    const bytes = yield* ask<Uint8Array>({ op: 'read', path: p });
    if (failed(bytes)) return problem('load.unreadable', p, `cannot read ${p}: ${bytes.failed}`, true);
    const decoded = decode(bytes);
    if ('error' in decoded) return problem('load.unreadable', p, `cannot read ${p}: ${decoded.error}`, true);
    result.files.push({ path: p, text: decoded.text });
  }

  function* walkDir(dir: string): Walk<void> {
    const real = yield* ask<string>({ op: 'realpath', path: dir });
    const key = failed(real) ? path.resolve(dir) : real;
    if (seen.has(key)) return; // symlink loops end here
    seen.add(key);
    const names = yield* ask<string[]>({ op: 'readdir', path: dir });
    if (failed(names)) return problem('load.unreadable', dir, `cannot list ${dir}: ${names.failed}`, false);
    // Code-unit order, not locale order: the same on every machine.
    for (const name of [...names].sort()) {
      if (name.startsWith('.')) continue; // .git, editor swap files, ...
      const child = joinKeepingPrefix(dir, name);
      const stat = yield* ask<Stat>({ op: 'stat', path: child });
      if (failed(stat)) {
        if (isManifestName(name))
          problem('load.unreadable', child, `cannot read ${child}: ${stat.failed}`, false);
        continue;
      }
      if (stat.type === 'dir') yield* walkDir(child);
      else if (stat.type === 'file' && isManifestName(name)) yield* addFile(child, stat);
    }
  }

  for (const p of paths) {
    const stat = yield* ask<Stat>({ op: 'stat', path: p });
    if (failed(stat)) {
      problem(
        stat.failed === NOT_FOUND ? 'load.not-found' : 'load.unreadable',
        p,
        `cannot read ${p}: ${stat.failed}`,
        false,
      );
    } else if (stat.type === 'dir') {
      const before = result.files.length;
      yield* walkDir(p);
      if (result.files.length === before) {
        problem(
          'load.no-files',
          p,
          `no ${MANIFEST_EXTENSIONS.join(', ')} files under ${p}`,
          false,
          'warning',
        );
      }
    } else if (stat.type === 'file') {
      // A file named explicitly is read whatever its extension, as kubectl does.
      yield* addFile(p, stat);
    } else {
      problem('load.unreadable', p, `cannot read ${p}: not a file or a folder`, false);
    }
  }
  return result;
}

const NOT_FOUND = 'no such file or directory';

function isManifestName(name: string): boolean {
  const lower = name.toLowerCase();
  return MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** `./seed` + `a.yaml` → `./seed/a.yaml` (path.join would drop the `./` the user typed). */
function joinKeepingPrefix(dir: string, name: string): string {
  return dir.endsWith('/') || dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

function reason(error: unknown): Failure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { failed: NOT_FOUND };
  if (code === 'EACCES' || code === 'EPERM') return { failed: 'permission denied' };
  return { failed: error instanceof Error ? error.message : String(error) };
}

function toStat(s: fs.Stats): Stat {
  return { type: s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other', size: s.size };
}

function answerSync(req: FsRequest): unknown {
  try {
    switch (req.op) {
      case 'stat':
        return toStat(fs.statSync(req.path));
      case 'readdir':
        return fs.readdirSync(req.path);
      case 'read':
        return fs.readFileSync(req.path);
      case 'realpath':
        return fs.realpathSync(req.path);
    }
  } catch (error) {
    return reason(error);
  }
}

async function answerAsync(req: FsRequest): Promise<unknown> {
  try {
    switch (req.op) {
      case 'stat':
        return toStat(await fs.promises.stat(req.path));
      case 'readdir':
        return await fs.promises.readdir(req.path);
      case 'read':
        return await fs.promises.readFile(req.path);
      case 'realpath':
        return await fs.promises.realpath(req.path);
    }
  } catch (error) {
    return reason(error);
  }
}

/** Files named directly are read whatever their extension; folders are walked for .yaml/.yml/.json. */
export function readInputsSync(paths: ReadonlyArray<string>, maxBytes: number): ReadResult {
  const walk = collect(paths, maxBytes);
  let step = walk.next();
  while (!step.done) step = walk.next(answerSync(step.value));
  return step.value;
}

export async function readInputs(paths: ReadonlyArray<string>, maxBytes: number): Promise<ReadResult> {
  const walk = collect(paths, maxBytes);
  let step = walk.next();
  while (!step.done) step = walk.next(await answerAsync(step.value));
  return step.value;
}
