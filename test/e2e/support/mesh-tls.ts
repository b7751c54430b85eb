/**
 * What a proxy makes of the TLS Amime serves it, rebuilt with Node's TLS: the SDS
 * secrets (certificate chain, private key, trust bundle) and the validation the
 * listener or cluster asks for (SAN matchers, as Envoy applies them: any matcher
 * against a SAN of its type). Two such endpoints stand for two sidecars.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { messageType } from '../../../src/proto/root.js';

type Obj = Record<string, unknown>;

export interface SanMatcher {
  type: 'DNS' | 'URI';
  exact?: string;
  prefix?: string;
}

/** What one proxy received: its certificate and key, the roots it trusts. */
export interface ProxyTls {
  certificateChain: string;
  privateKey: string;
  trustBundle: string;
}

function decodeTyped(any: unknown): Obj {
  const a = any as { type_url: string; value: Uint8Array };
  const t = messageType(a.type_url.replace(/^type\.googleapis\.com\//, ''));
  return t.toObject(t.decode(a.value), { enums: String, longs: String, defaults: false }) as Obj;
}

function matchersOf(common: Obj | undefined): SanMatcher[] {
  const combined = common?.combined_validation_context as Obj | undefined;
  const ctx = (combined?.default_validation_context ?? common?.validation_context) as Obj | undefined;
  const list = (ctx?.match_typed_subject_alt_names ?? []) as Array<{ san_type: string; matcher: Obj }>;
  return list.map((m) => ({
    type: m.san_type as 'DNS' | 'URI',
    ...(typeof m.matcher.exact === 'string' ? { exact: m.matcher.exact } : {}),
    ...(typeof m.matcher.prefix === 'string' ? { prefix: m.matcher.prefix } : {}),
  }));
}

export interface TlsRefs {
  certificateSecret?: string;
  trustSecret?: string;
  matchers: SanMatcher[];
  requireClientCertificate: boolean;
  sni?: string;
}

function refsOf(common: Obj | undefined): Omit<TlsRefs, 'requireClientCertificate' | 'sni'> {
  const cert = (common?.tls_certificate_sds_secret_configs as Obj[] | undefined)?.[0];
  const combined = common?.combined_validation_context as Obj | undefined;
  const trust = combined?.validation_context_sds_secret_config as Obj | undefined;
  return {
    ...(cert ? { certificateSecret: String(cert.name) } : {}),
    ...(trust ? { trustSecret: String(trust.name) } : {}),
    matchers: matchersOf(common),
  };
}

/** The client TLS of a cluster (decoded from the CDS resource). */
export function upstreamTls(cluster: Obj): TlsRefs | undefined {
  const ts = cluster.transport_socket as Obj | undefined;
  if (!ts) return undefined;
  const ctx = decodeTyped(ts.typed_config);
  return {
    ...refsOf(ctx.common_tls_context as Obj),
    requireClientCertificate: false,
    ...(typeof ctx.sni === 'string' ? { sni: ctx.sni } : {}),
  };
}

/** The server TLS of a listener's filter chain for `port` (decoded from the LDS resource). */
export function downstreamTls(listener: Obj, port: number): TlsRefs | undefined {
  const chains = (listener.filter_chains ?? []) as Obj[];
  const chain = chains.find(
    (c) => ((c.filter_chain_match as Obj | undefined)?.destination_port as Obj | undefined)?.value === port,
  );
  const ts = chain?.transport_socket as Obj | undefined;
  if (!ts) return undefined;
  const ctx = decodeTyped(ts.typed_config);
  return {
    ...refsOf(ctx.common_tls_context as Obj),
    requireClientCertificate: (ctx.require_client_certificate as Obj | undefined)?.value === true,
  };
}

/** SDS secrets as received: name → PEM material. */
export function secretMaterial(secrets: Obj[]): Map<string, { chain?: string; key?: string; ca?: string }> {
  const out = new Map<string, { chain?: string; key?: string; ca?: string }>();
  for (const s of secrets) {
    const cert = s.tls_certificate as Obj | undefined;
    const vc = s.validation_context as Obj | undefined;
    out.set(String(s.name), {
      ...(cert
        ? {
            chain: String((cert.certificate_chain as Obj).inline_string),
            key: String((cert.private_key as Obj).inline_string),
          }
        : {}),
      ...(vc ? { ca: String((vc.trusted_ca as Obj).inline_string) } : {}),
    });
  }
  return out;
}

/** Envoy's rule: the peer passes when any matcher matches any SAN of the matcher's type. */
export function sanAccepted(peer: X509Certificate, matchers: readonly SanMatcher[]): boolean {
  if (matchers.length === 0) return true;
  const sans = (peer.subjectAltName ?? '').split(/,\s*/).map((s) => {
    const i = s.indexOf(':');
    return { type: s.slice(0, i), value: s.slice(i + 1) };
  });
  return matchers.some((m) =>
    sans.some(
      (s) =>
        s.type === m.type &&
        (m.exact !== undefined
          ? s.value === m.exact
          : m.prefix !== undefined && s.value.startsWith(m.prefix)),
    ),
  );
}

export type HandshakeResult =
  { ok: true; serverSaw: string; clientSaw: string } | { ok: false; error: string };

/**
 * One connection from `client` to `server`, each verifying the other as its served
 * configuration says: the chain against its trust bundle, then the SAN matchers.
 */
export async function meshHandshake(
  server: { tls: ProxyTls; matchers: readonly SanMatcher[] },
  client: { tls: ProxyTls; matchers: readonly SanMatcher[]; sni?: string },
): Promise<HandshakeResult> {
  // The server refuses an unverified client itself (as rejectUnauthorized would), so the
  // result names the reason (CERT_HAS_EXPIRED…) rather than Node's "socket hang up".
  const srv = tls.createServer({
    cert: server.tls.certificateChain,
    key: server.tls.privateKey,
    ca: server.tls.trustBundle,
    requestCert: true,
    rejectUnauthorized: false,
  });
  const serverSide = new Promise<{ ok: true; saw: string } | { ok: false; error: string }>((resolve) => {
    srv.on('secureConnection', (s) => {
      const peer = s.getPeerX509Certificate();
      if (!s.authorized) {
        const reason =
          s.authorizationError instanceof Error ? s.authorizationError.message : String(s.authorizationError);
        resolve({ ok: false, error: `server: client certificate refused: ${reason}` });
        s.destroy();
        return;
      }
      if (!peer || !sanAccepted(peer, server.matchers)) {
        resolve({ ok: false, error: `server: client SAN ${peer?.subjectAltName} not allowed` });
        s.destroy();
        return;
      }
      resolve({ ok: true, saw: peer.subjectAltName ?? '' });
      s.end('ok');
    });
    srv.on('tlsClientError', (e) => resolve({ ok: false, error: `server: ${e.message}` }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    cert: client.tls.certificateChain,
    key: client.tls.privateKey,
    ca: client.tls.trustBundle,
    ...(client.sni ? { servername: client.sni } : {}),
    // Envoy checks the SAN matchers, not the host name.
    checkServerIdentity: (_host, cert) =>
      sanAccepted(new X509Certificate(cert.raw), client.matchers)
        ? undefined
        : new Error(`client: server SAN ${cert.subjectaltname} not allowed`),
  });
  const clientSide = new Promise<{ ok: true; saw: string } | { ok: false; error: string }>((resolve) => {
    socket.once('secureConnect', () =>
      resolve({ ok: true, saw: socket.getPeerX509Certificate()?.subjectAltName ?? '' }),
    );
    socket.once('error', (e) =>
      resolve({ ok: false, error: e.message.startsWith('client:') ? e.message : `client: ${e.message}` }),
    );
  });
  try {
    const first = await Promise.race([serverSide, clientSide]);
    if (!first.ok) return first;
    const [s, c] = await Promise.all([serverSide, clientSide]);
    if (!s.ok) return s;
    if (!c.ok) return c;
    return { ok: true, serverSaw: s.saw, clientSaw: c.saw };
  } finally {
    socket.destroy();
    srv.close();
  }
}
