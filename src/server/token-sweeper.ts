/**
 * Expired clientTokens (src/api/token-ledger.ts) removed every `everyMs`. With etcd only
 * the elected replica sweeps, and each of its deletes is fenced by its lease
 * (src/store/etcd-election.ts): a replica that stopped leading without knowing it
 * deletes nothing.
 */
import { TokenLedger } from '../api/index.js';
import type { EtcdElection, ResourceStore } from '../store/index.js';
import type { Logger } from './logger.js';

export interface TokenSweeperOptions {
  store: ResourceStore;
  /** Replicas sharing etcd: only its leader sweeps. */
  election?: EtcdElection;
  everyMs: number;
  logger: Logger;
}

export function startTokenSweeper(o: TokenSweeperOptions): () => void {
  const ledger = new TokenLedger(o.store, 0, Date.now);
  const election = o.election;
  let running = false;
  const timer = setInterval(() => {
    if (running || (election && !election.leading)) return;
    running = true;
    const swept = election
      ? ledger.sweep((key, version) => election.fencedDelete(key, version))
      : ledger.sweep();
    swept
      .then((removed) => {
        if (removed > 0) o.logger.debug({ removed }, 'expired clientTokens removed');
      })
      .catch((err: unknown) =>
        o.logger.warn({ err }, 'removing expired clientTokens failed; trying again later'),
      )
      .finally(() => {
        running = false;
      });
  }, o.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
