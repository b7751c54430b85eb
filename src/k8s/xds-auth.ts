/**
 * xDS authentication on Kubernetes: a sidecar presents its pod's projected
 * service-account token (audience `amime`) as a bearer token; a TokenReview against
 * the API server says whose it is. The principal may stream only as the virtual
 * nodes and gateways its pods can be: the pods running under that service account
 * (just the one pod, for a pod-bound token) whose labels a VirtualNode or
 * VirtualGateway podSelector in their namespace selects. Decided at stream start from
 * the live cache, so a pod that changes labels changes what its token allows.
 */
import { createHash } from 'node:crypto';
import { selectorMatches, selectorProblems } from '../mesh/index.js';
import { parseArn, type VirtualGateway, type VirtualNode } from '../model/index.js';
import {
  bearerToken,
  type AuthenticationResult,
  type Authenticator,
  type Credentials,
  type Principal,
  type EvaluationResult,
  STREAM_ACTION,
} from '../xds/index.js';
import { TOKEN_REVIEWS_PATH } from './api-paths.js';
import type { ClusterCache } from './cluster-cache.js';
import type { Pod } from './objects.js';
import type { Placement } from './placement.js';
import type { KubeClient } from './rest-client.js';

const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';

export interface TokenReviewAuthenticatorOptions {
  /** Audience the token must carry; default `amime`. */
  audience?: string;
  /** How long a review answer is reused; default 60 s (5 s for a rejection). */
  cacheTtlMs?: number;
}

interface TokenReviewStatus {
  authenticated?: boolean;
  error?: string;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}

/** Where the graph's placements come from (the controller's latest pass). */
export type PlacementSource = () => ReadonlyMap<string, Placement> | undefined;

export class ServiceAccountPrincipal implements Principal {
  readonly method = 'token' as const;
  readonly name: string;

  constructor(
    readonly namespace: string,
    readonly serviceAccount: string,
    /** Set for a pod-bound token: only this pod's identity is allowed. */
    readonly podName: string | undefined,
    private readonly allowed: () => ReadonlySet<string>,
  ) {
    this.name = `system:serviceaccount:${namespace}:${serviceAccount}${podName ? ` (pod ${podName})` : ''}`;
  }

  authorize(action: string, resourceArn: string): EvaluationResult {
    if (action !== STREAM_ACTION) return { decision: 'ImplicitDeny' };
    const arn = parseArn(resourceArn);
    if (!arn || (arn.type !== 'virtualNode' && arn.type !== 'virtualGateway'))
      return { decision: 'ImplicitDeny' };
    return this.allowed().has(`mesh/${arn.mesh}/${arn.type}/${arn.name}`)
      ? { decision: 'Allow', statement: `pods of ${this.name}` }
      : { decision: 'ImplicitDeny' };
  }
}

/** `mesh/<mesh>/<kind>/<name>` of every virtual node and gateway that `pods` match in their namespaces. */
export function identitiesOf(
  pods: ReadonlyArray<Pod>,
  placement: ReadonlyMap<string, Placement>,
): Set<string> {
  const out = new Set<string>();
  const members = [...placement.values()].filter(
    (p) => (p.id.kind === 'VirtualNode' || p.id.kind === 'VirtualGateway') && p.mesh,
  );
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    for (const m of members) {
      if (m.id.namespace !== pod.metadata.namespace) continue;
      const sel = (m.resource as VirtualNode | VirtualGateway).spec.podSelector;
      if (selectorProblems(sel).length > 0 || !selectorMatches(sel, labels, 'none')) continue;
      out.add(
        `mesh/${m.mesh}/${m.id.kind === 'VirtualNode' ? 'virtualNode' : 'virtualGateway'}/${m.awsName}`,
      );
    }
  }
  return out;
}

export class TokenReviewAuthenticator implements Authenticator {
  private readonly reviews = new Map<string, { until: number; status: TokenReviewStatus }>();
  private readonly audience: string;
  private readonly ttl: number;

  constructor(
    private readonly client: KubeClient,
    private readonly cache: ClusterCache,
    private readonly placement: PlacementSource,
    options: TokenReviewAuthenticatorOptions = {},
  ) {
    this.audience = options.audience ?? 'amime';
    this.ttl = options.cacheTtlMs ?? 60_000;
  }

  async authenticate(credentials: Credentials): Promise<AuthenticationResult> {
    const token = bearerToken(credentials);
    if (token === undefined)
      return {
        ok: false,
        message: 'missing credentials: send the pod service-account token as "authorization: Bearer <token>"',
      };
    let status: TokenReviewStatus;
    try {
      status = await this.review(token);
    } catch (e) {
      return { ok: false, message: `TokenReview failed: ${(e as Error).message}` };
    }
    if (!status.authenticated)
      return {
        ok: false,
        message: `service-account token rejected by the API server: ${status.error ?? 'not authenticated'}`,
      };
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(status.user?.username ?? '');
    if (!m)
      return {
        ok: false,
        message: `token of ${status.user?.username ?? 'an unknown user'} is not a service-account token`,
      };
    const [, namespace, serviceAccount] = m as unknown as [string, string, string];
    const podName = status.user?.extra?.[POD_NAME_EXTRA]?.[0];
    const allowed = () => {
      const pods = (this.cache.pods?.list(namespace) ?? []).filter(
        (p) =>
          (p.spec?.serviceAccountName ?? 'default') === serviceAccount &&
          (!podName || p.metadata.name === podName),
      );
      return identitiesOf(pods, this.placement() ?? new Map());
    };
    return { ok: true, principal: new ServiceAccountPrincipal(namespace, serviceAccount, podName, allowed) };
  }

  private async review(token: string): Promise<TokenReviewStatus> {
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const hit = this.reviews.get(key);
    if (hit && hit.until > now) return hit.status;
    const res = await this.client.create<{ status?: TokenReviewStatus }>(TOKEN_REVIEWS_PATH, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: [this.audience] },
    });
    const status = res.status ?? {};
    if (this.reviews.size > 10_000) this.reviews.clear();
    this.reviews.set(key, {
      until: now + (status.authenticated ? this.ttl : Math.min(this.ttl, 5000)),
      status,
    });
    return status;
  }
}
