import { describe, expect, it } from 'vitest';
import { normalizeWeights, routeAction } from './route-action.js';
import { retryOn, retryPolicy } from './route-retry.js';

describe('weights', () => {
  it('scales relative weights to a total of 100 by largest remainder', () => {
    expect(normalizeWeights([1, 1])).toEqual([50, 50]);
    expect(normalizeWeights([1, 1, 1])).toEqual([34, 33, 33]);
    expect(normalizeWeights([1, 2, 7])).toEqual([10, 20, 70]);
    expect(normalizeWeights([100, 0])).toEqual([100, 0]);
    expect(normalizeWeights([1, 100])).toEqual([1, 99]);
    expect(normalizeWeights([0, 0])).toBeUndefined();
    for (const w of [
      [3, 3, 3, 3, 3, 3, 3],
      [7, 11, 13],
      [99, 1, 1, 1],
    ])
      expect((normalizeWeights(w) ?? []).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('answers nothing (503 upstream of here) when no target weighs anything', () => {
    expect(routeAction({ targets: [{ cluster: 'c', weight: 0 }] }, 'envoy')).toBeUndefined();
  });

  it('puts the 15 s default on `timeout` for Envoy and on max_stream_duration for gRPC', () => {
    expect(routeAction({ targets: [{ cluster: 'c', weight: 1 }] }, 'envoy')?.timeout).toBe(15_000);
    expect(routeAction({ targets: [{ cluster: 'c', weight: 1 }] }, 'grpc')).toMatchObject({
      maxStreamDuration: 15_000,
    });
    expect(
      routeAction(
        { targets: [{ cluster: 'c', weight: 1 }], timeout: { perRequest: { unit: 'ms', value: 1500 } } },
        'envoy',
      )?.timeout,
    ).toBe(1500);
  });
});

describe('retry events (appmesh.md §4.4)', () => {
  it('maps App Mesh events to Envoy retry_on and status codes', () => {
    expect(
      retryOn({
        maxRetries: 1,
        perRetryTimeout: { unit: 's', value: 1 },
        httpRetryEvents: ['server-error', 'gateway-error', 'client-error', 'stream-error'],
        tcpRetryEvents: ['connection-error'],
      }),
    ).toEqual({
      on: ['5xx', 'gateway-error', 'retriable-status-codes', 'refused-stream', 'connect-failure'],
      codes: [409],
    });
  });

  it('gives gRPC clients only gRPC status events, and nothing with zero retries', () => {
    const policy = {
      maxRetries: 2,
      perRetryTimeout: { unit: 'ms' as const, value: 100 },
      grpcRetryEvents: ['unavailable' as const],
      httpRetryEvents: ['server-error' as const],
    };
    expect(retryPolicy(policy, 'grpc')).toEqual({ retryOn: ['unavailable'], numRetries: 2 });
    expect(retryPolicy({ ...policy, maxRetries: 0 }, 'grpc')).toBeUndefined();
    expect(retryPolicy(policy, 'envoy')).toMatchObject({
      retryOn: ['5xx', 'unavailable'],
      previousHostsAttempts: 5,
      perTryTimeout: 100,
    });
  });
});
