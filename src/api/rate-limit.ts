/**
 * A token bucket per client (the verified access key, else the remote address):
 * `ratePerSecond` tokens a second, up to `burst`. An empty bucket answers
 * TooManyRequestsException (429), which AWS clients retry with backoff.
 */
import { TokenBucket } from '../xds/index.js';
import { ApiError } from './errors.js';

export interface RateLimitOptions {
  /** Sustained requests per second per client. Default 1,000. */
  ratePerSecond?: number;
  /** Requests a client may make at once. Default 2,000. */
  burst?: number;
  /** Clients tracked at most; the least recently seen are forgotten first. Default 10,000. */
  maxClients?: number;
  now?: () => number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions = {}) {
    this.rate = options.ratePerSecond ?? 1000;
    this.burst = options.burst ?? 2000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.rate > 0) || !(this.burst >= 1))
      throw new Error('rate limit: ratePerSecond must be > 0 and burst ≥ 1');
  }

  /** Takes one token for `client` or throws TooManyRequestsException. */
  take(client: string): void {
    let bucket = this.buckets.get(client);
    if (bucket)
      this.buckets.delete(client); // re-inserted below: the map is in order of last use
    else {
      bucket = new TokenBucket(this.rate, this.burst, this.now);
      if (this.buckets.size >= this.maxClients) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(client, bucket);
    if (!bucket.tryTake()) {
      throw new ApiError(
        'TooManyRequestsException',
        'Too many requests: the request rate for this client is over the limit; slow down and retry.',
        { retryAfterSeconds: Math.max(1, Math.ceil(bucket.secondsToNextToken())) },
      );
    }
  }
}
