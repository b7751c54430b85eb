/**
 * `amime serve`'s certificate authority: which one runs (built-in in the store, an
 * operator's from files, or none), the workload certificates of the groups whose
 * translation names them, and their encoded SDS secrets for the pipeline.
 */
import path from 'node:path';
import {
  CaError,
  CaRuntime,
  checkTrustDomain,
  DEFAULT_TRUST_DOMAIN,
  ephemeralKek,
  kekFile,
  MeshIdentities,
  parseDuration,
  storeAuthorityRecord,
  type AuthorityRecord,
  type CertificateChange,
  type IssuedCertificate,
  type KekSource,
  type ServiceAccountOf,
  type WorkloadIdentity,
} from '../ca/index.js';
import {
  CA_CERTIFICATE_SECRET_PREFIX,
  CA_TRUST_BUNDLE_SECRET,
  caCertificateSecretName,
  encodeOne,
  parseGroupKey,
} from '../envoy/index.js';
import { TYPE_URL, type ResourceOwner } from '../xds/index.js';
import type { MeshGraph } from '../mesh/index.js';
import type { ResourceStore } from '../store/index.js';
import { CA_SECRET } from './ca-secret-record.js';
import { podNamespace } from './pod-namespace.js';
import { ConfigError, type ServeConfig } from './config.js';
import type { Logger } from './logger.js';
import type { SuppliedSecrets } from './pipeline.js';

/** Where the built-in CA's key-encryption key comes from for this store; undefined: no built-in CA here. */
function kekFor(config: ServeConfig): { kek: KekSource } | { off: string } {
  const file = config.ca.keyFile;
  // On Kubernetes the file is a mounted Secret: read-only, and made by whoever installs Amime.
  if (file) return { kek: kekFile(file, { create: config.store !== 'kubernetes' }) };
  switch (config.store) {
    case 'sqlite':
      if (config.from) return { kek: ephemeralKek() };
      return { kek: kekFile(path.join(config.dataDir, 'ca-kek'), { create: true }) };
    case 'memory':
      return { kek: ephemeralKek() };
    case 'etcd':
      return {
        off: 'with --store etcd every replica needs the same key-encryption key: give --ca-key-file (for example a file made with `openssl rand -base64 32`)',
      };
    case 'kubernetes':
      return {
        off: `with --store kubernetes give --ca-key-file (a Secret mounted as a file, e.g. from: kubectl create secret generic amime-ca-kek --from-literal=kek=$(openssl rand -base64 32)); the CA is then kept in Secret ${CA_SECRET}. Or give your own CA as files (--ca-cert, --ca-key, --ca-bundle: a cert-manager Secret mounted)`,
      };
  }
}

/**
 * The default Kubernetes install mounts Secret amime-ca-kek as optional, so that Amime
 * runs before anyone made one: with no key file and no CA yet, the CA is off until the
 * Secret exists. Once a CA exists, a missing key is an error (it is sealed with it).
 */
async function kekNotMounted(
  file: string,
  kek: KekSource,
  record: AuthorityRecord,
): Promise<string | undefined> {
  if (kek.exists() || (await record.read())) return undefined;
  const ns = podNamespace();
  return (
    `no key-encryption key at ${file} (Secret amime-ca-kek is not mounted) and no CA yet. ` +
    `Turn it on: kubectl -n ${ns} create secret generic amime-ca-kek --from-literal=kek="$(openssl rand -base64 32)" ` +
    `&& kubectl -n ${ns} rollout restart deployment/amime`
  );
}

/** A group's certificate secret is its own: the xDS server refuses it to every other group. */
export const caResourceOwner: ResourceOwner = (typeUrl, name) =>
  typeUrl === TYPE_URL.Secret && name.startsWith(CA_CERTIFICATE_SECRET_PREFIX)
    ? name.slice(CA_CERTIFICATE_SECRET_PREFIX.length)
    : undefined;

export interface ServeCa {
  readonly runtime: CaRuntime;
  readonly trustDomain: string;
  /** For the pipeline: the encoded certificate and trust bundle secrets. */
  readonly secrets: SuppliedSecrets;
  /** After each translation: the groups that name their certificate, with the graph that says who they are. */
  want(graph: MeshGraph, names: ReadonlyMap<string, readonly string[]>): void;
  close(): void;
}

export interface StartCaOptions {
  config: ServeConfig;
  store: ResourceStore;
  /** Where the built-in CA is kept when not in `store` (Kubernetes: a Secret). */
  record?: AuthorityRecord;
  /** Kubernetes: the service account of a virtual node's pods (their SPIFFE ID is then `ns/<ns>/sa/<sa>`). */
  serviceAccountOf?: ServiceAccountOf;
  logger: Logger;
  /** Certificates were issued (groups) or the bundle changed (every group). */
  onChange: (change: CertificateChange) => void;
  onFailure?: () => void;
}

export async function startCa(options: StartCaOptions): Promise<ServeCa | undefined> {
  const { config, store, logger } = options;
  const ca = config.ca;
  if (ca.enabled === false) return undefined;
  const trustDomain = ca.trustDomain || DEFAULT_TRUST_DOMAIN;
  const bad = checkTrustDomain(trustDomain);
  if (bad) throw new ConfigError(`--trust-domain: ${bad}`);
  let lifetimeMs: number | undefined;
  try {
    lifetimeMs = ca.certificateLifetime
      ? parseDuration(ca.certificateLifetime, '--workload-cert-lifetime')
      : undefined;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (!ca.certFile !== !ca.privateKeyFile)
    throw new ConfigError('--ca-cert and --ca-key go together: the CA certificate and its private key');
  const operator = ca.certFile
    ? { cert: ca.certFile, key: ca.privateKeyFile!, ...(ca.bundleFile ? { bundle: ca.bundleFile } : {}) }
    : undefined;
  const source = operator ? undefined : kekFor(config);
  if (source && 'off' in source) {
    logger.info({}, `certificate authority: off — ${source.off}`);
    return undefined;
  }
  const record = options.record ?? storeAuthorityRecord(store);
  const notSetUp =
    source && 'kek' in source && config.store === 'kubernetes' && config.ca.keyFile
      ? await kekNotMounted(config.ca.keyFile, source.kek, record)
      : undefined;
  if (notSetUp) {
    logger.info({}, `certificate authority: off — ${notSetUp}`);
    return undefined;
  }
  let runtime: CaRuntime;
  try {
    runtime = await CaRuntime.start({
      trustDomain,
      ...(lifetimeMs ? { lifetimeMs } : {}),
      ...(ca.renewAt ? { renewAt: ca.renewAt } : {}),
      ...(operator ? { operator } : {}),
      record,
      kek: source?.kek ?? ephemeralKek(),
      logger,
      onChange: options.onChange,
      ...(options.onFailure ? { onFailure: options.onFailure } : {}),
    });
  } catch (err) {
    if (err instanceof CaError) throw new ConfigError(`certificate authority: ${err.message}`);
    throw err;
  }
  return new CaSecrets(runtime, trustDomain, options.serviceAccountOf);
}

class CaSecrets implements ServeCa, SuppliedSecrets {
  /** Encoded certificate secrets by group, for the certificate they were made from. */
  private readonly certs = new Map<string, { cert: IssuedCertificate; bytes: Uint8Array }>();
  private bundle: { pem: string; bytes: Uint8Array } | undefined;

  constructor(
    readonly runtime: CaRuntime,
    readonly trustDomain: string,
    private readonly serviceAccountOf?: ServiceAccountOf,
  ) {}

  get secrets(): SuppliedSecrets {
    return this;
  }

  encoded(group: string, name: string): Uint8Array | undefined {
    if (name === CA_TRUST_BUNDLE_SECRET) return this.bundleBytes();
    // A group is only ever given its own certificate, under its own name.
    if (name !== caCertificateSecretName(group)) return undefined;
    const cert = this.runtime.certificates.certificate(group);
    if (!cert) return undefined;
    const held = this.certs.get(group);
    if (held?.cert === cert) return held.bytes;
    const bytes = encodeOne('secrets', {
      name,
      tls_certificate: {
        certificate_chain: { inline_string: cert.certificateChain },
        private_key: { inline_string: cert.privateKey },
      },
    });
    this.certs.set(group, { cert, bytes });
    return bytes;
  }

  private bundleBytes(): Uint8Array {
    const pem = this.runtime.certificates.trustBundle();
    if (this.bundle?.pem !== pem)
      this.bundle = {
        pem,
        bytes: encodeOne('secrets', {
          name: CA_TRUST_BUNDLE_SECRET,
          validation_context: { trusted_ca: { inline_string: pem } },
        }),
      };
    return this.bundle.bytes;
  }

  want(graph: MeshGraph, names: ReadonlyMap<string, readonly string[]>): void {
    const wanted = new Map<string, WorkloadIdentity>();
    const perMesh = new Map<string, MeshIdentities>();
    for (const [group, list] of names) {
      if (!list.includes(caCertificateSecretName(group))) continue;
      const g = parseGroupKey(group);
      const view = g ? graph.meshes.get(g.mesh) : undefined;
      if (!g || !view) continue;
      let ids = perMesh.get(g.mesh);
      if (!ids)
        perMesh.set(g.mesh, (ids = new MeshIdentities(this.trustDomain, view, this.serviceAccountOf)));
      const node = g.kind === 'virtualNode' ? view.virtualNodes.get(g.name) : undefined;
      if (g.kind === 'virtualNode' && !node) continue;
      wanted.set(group, node ? ids.virtualNode(node) : ids.virtualGateway(g.name));
    }
    for (const g of [...this.certs.keys()]) if (!wanted.has(g)) this.certs.delete(g);
    this.runtime.certificates.want(wanted);
  }

  close(): void {
    this.runtime.close();
  }
}
