/**
 * Makes the files a configuration names exist, so Envoy can load it here: certificates
 * and keys (by path or inline) become the test PKI's — one key pair and one CA for all,
 * so every chain matches every key — and access log files move into `dir`.
 * `/dev/stdout` stays: Envoy's output is a file in these tests.
 * What Envoy judges is the configuration's shape, not the material.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestPki } from '../../e2e/support/certs.js';

const FILE_ACCESS_LOG = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function materializeFiles(config: Json, dir: string, pki: TestPki): void {
  const placed = (original: string, content?: Buffer): string => {
    const target = path.join(dir, 'files', original);
    mkdirSync(path.dirname(target), { recursive: true });
    if (content) writeFileSync(target, content);
    return target;
  };
  const source = (ds: Json, pem: Buffer): void => {
    if (!isObject(ds)) return;
    if (typeof ds.filename === 'string') ds.filename = placed(ds.filename, pem);
    else if (typeof ds.inline_string === 'string') ds.inline_string = pem.toString();
    else if (typeof ds.inline_bytes === 'string') ds.inline_bytes = pem.toString('base64');
  };
  const visit = (v: Json): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObject(v)) return;
    source(v.certificate_chain, pki.server.cert);
    source(v.private_key, pki.server.key);
    source(v.trusted_ca, pki.ca);
    if (v['@type'] === FILE_ACCESS_LOG && typeof v.path === 'string' && v.path !== '/dev/stdout')
      v.path = placed(v.path);
    Object.values(v).forEach(visit);
  };
  visit(config);
}
