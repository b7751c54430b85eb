/**
 * An operator-supplied CA from files (`--ca-cert`, `--ca-key`, `--ca-bundle`): the
 * same three items as a `kubernetes.io/tls` Secret made by cert-manager (`tls.crt`,
 * `tls.key`, `ca.crt`), so a mounted Secret works as it is.
 */
import { readFileSync } from 'node:fs';
import { OperatorAuthority, type OperatorCaMaterial } from './authority.js';
import { CaError } from './errors.js';

export interface OperatorFiles {
  cert: string;
  key: string;
  bundle?: string;
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CaError(`${what} ${file} cannot be read: ${(err as Error).message}`);
  }
}

export function readOperatorFiles(files: OperatorFiles): OperatorCaMaterial {
  return {
    chain: read(files.cert, 'CA certificate'),
    key: read(files.key, 'CA private key'),
    ...(files.bundle ? { bundle: read(files.bundle, 'CA bundle') } : {}),
  };
}

export function describeOperatorFiles(files: OperatorFiles): string {
  return `files ${[files.cert, files.key, ...(files.bundle ? [files.bundle] : [])].join(', ')}`;
}

export async function openOperatorFiles(files: OperatorFiles): Promise<OperatorAuthority> {
  return OperatorAuthority.open(readOperatorFiles(files), describeOperatorFiles(files));
}
