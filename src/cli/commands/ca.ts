/**
 * `amime ca`: the running server's certificate authority — the chain that signs, the
 * roots every proxy trusts, fingerprints and expiry, and the workload certificates.
 * `amime ca rotate` starts a root rotation (both roots trusted during the overlap).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { stringify } from 'yaml';
import { AppMeshClientError, type AppMeshHttpClient } from '../../api/index.js';
import { parseDuration, type CaView, type CertificateView } from '../../ca/index.js';
import { CA_PATH, CA_ROTATE_PATH, type RotateBody } from '../../server/index.js';
import { DEFAULT_SERVER, clientFor, serverUrl, unreachable } from '../server-client.js';

interface Out {
  write(chunk: string): unknown;
}

export interface CaCliOptions {
  server: string;
  output: 'text' | 'json' | 'yaml';
  region?: string;
}

export interface RotateCliOptions extends CaCliOptions {
  activateAfter?: string;
  overlap?: string;
}

function days(iso: string, now: number): string {
  const d = (Date.parse(iso) - now) / 86_400_000;
  if (d < 0) return 'EXPIRED';
  return d >= 2 ? `${Math.floor(d)} days left` : `${Math.max(0, Math.round(d * 24))} hours left`;
}

function certLines(c: CertificateView, now: number, indent: string): string[] {
  return [
    `${indent}subject:  ${c.subject || '(empty)'}`,
    `${indent}issuer:   ${c.issuer}`,
    `${indent}sha256:   ${c.sha256}`,
    `${indent}serial:   ${c.serial}`,
    `${indent}valid:    ${c.notBefore} → ${c.notAfter} (${days(c.notAfter, now)})`,
  ];
}

export function renderCaText(view: CaView, now = Date.now()): string {
  const lines = [
    `certificate authority: ${view.kind === 'built-in' ? "Amime's own" : "the operator's"} (${view.source})`,
    `trust domain: ${view.trustDomain}`,
    '',
    'signs with:',
    ...view.signingChain.flatMap((c, i) => [`  [${i}]`, ...certLines(c, now, '    ')]),
    '',
    'roots every proxy trusts:',
    ...view.roots.flatMap((r) => [
      `  ${r.status}${r.signsFrom ? ` (signs from ${r.signsFrom})` : ''}${r.trustedUntil ? ` (trusted until ${r.trustedUntil})` : ''}`,
      ...certLines(r, now, '    '),
    ]),
    '',
    `workload certificates: ${view.workloads.current} current, ${view.workloads.issued} issued, ${view.workloads.failures} failed; lifetime ${view.workloads.lifetimeSeconds}s, renewed at ${Math.round(view.workloads.renewAt * 100)}%${view.workloads.earliestExpiry ? `; earliest expiry ${view.workloads.earliestExpiry}` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

function render(view: CaView, output: CaCliOptions['output']): string {
  if (output === 'json') return `${JSON.stringify(view, null, 2)}\n`;
  if (output === 'yaml') return stringify(view);
  return renderCaText(view);
}

async function run(
  out: Out,
  err: Out,
  options: CaCliOptions,
  call: (c: AppMeshHttpClient) => Promise<CaView>,
): Promise<number> {
  let server: string;
  try {
    server = serverUrl(options.server);
  } catch (e) {
    err.write(`amime ca: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    out.write(render(await call(clientFor(server, options.region)), options.output));
    return 0;
  } catch (e) {
    const message =
      e instanceof AppMeshClientError && e.status === 404
        ? `${server} runs no certificate authority (started with --no-ca, or its store has no CA key: see its log)`
        : (unreachable(e, server)?.message ?? (e instanceof Error ? e.message : String(e)));
    err.write(`amime ca: ${message}\n`);
    return 1;
  }
}

export function runCa(options: CaCliOptions, out: Out, err: Out): Promise<number> {
  return run(out, err, options, (c) => c.request<CaView>('GET', CA_PATH));
}

export function runRotate(options: RotateCliOptions, out: Out, err: Out): Promise<number> {
  let body: RotateBody;
  try {
    body = {
      ...(options.activateAfter
        ? { activateAfterSeconds: parseDuration(options.activateAfter, '--activate-after', 0) / 1000 }
        : {}),
      ...(options.overlap ? { overlapSeconds: parseDuration(options.overlap, '--overlap') / 1000 } : {}),
    };
  } catch (e) {
    err.write(`amime ca rotate: ${(e as Error).message}\n`);
    return Promise.resolve(2);
  }
  return run(out, err, options, (c) => c.request<CaView>('POST', CA_ROTATE_PATH, body));
}

const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text');

export function configure(ca: Command): void {
  ca.option('--server <url>', 'the Amime server (REST API address)', DEFAULT_SERVER)
    .addOption(outputOption())
    .option(
      '--region <region>',
      'SigV4 region (signing happens when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set)',
    )
    .addHelpText(
      'after',
      `
Amime's CA issues every proxy group a short-lived certificate over SDS (SPIFFE ID
spiffe://<trust-domain>/mesh/<mesh>/virtualNode/<name>, or /ns/<ns>/sa/<sa> on
Kubernetes) for ACM certificates App Mesh can no longer deliver and for the mesh-level
mTLS switch (Mesh annotation or tag amime.io/mtls: PERMISSIVE | STRICT).

Examples:
  $ amime ca                                # chain, roots, expiry
  $ amime ca -o json
  $ amime ca rotate                         # new root: trusted now, signs in 1 minute, old root trusted 2 lifetimes more
  $ amime ca rotate --activate-after 5m --overlap 72h`,
    )
    .action(async (opts: CaCliOptions) => {
      process.exitCode = await runCa(opts, process.stdout, process.stderr);
    });
  ca.command('rotate')
    .description(
      'start a root rotation: the new root is trusted at once, signs after --activate-after, the old one stays trusted for --overlap',
    )
    .option('--activate-after <duration>', 'between trusting the new root and signing with it (default 60s)')
    .option(
      '--overlap <duration>',
      'how long the old root stays trusted after that (default twice the certificate lifetime)',
    )
    .action(async (opts: Pick<RotateCliOptions, 'activateAfter' | 'overlap'>) => {
      // --server, -o and --region belong to `amime ca` and may be given before or after `rotate`.
      process.exitCode = await runRotate(
        { ...ca.opts<CaCliOptions>(), ...opts },
        process.stdout,
        process.stderr,
      );
    });
}
