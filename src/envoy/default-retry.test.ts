import { describe, expect, it } from 'vitest';
import { API_METADATA_ANNOTATION } from '../model/api-form/index.js';
import { meshWithAnnotations } from './mesh-switch.testkit.js';
import { defaultRetryPolicy, defaultRetrySetting } from './default-retry.js';

const mesh = meshWithAnnotations;

describe("App Mesh's default retry policy", () => {
  it('is the policy of aws-app-mesh-roadmap #229, on by default', () => {
    expect(defaultRetrySetting(mesh({}))).toEqual({ enabled: true });
    expect(defaultRetryPolicy('envoy')).toEqual({
      retryOn: ['unavailable', 'connect-failure', 'refused-stream', 'retriable-status-codes'],
      numRetries: 2,
      retriableStatusCodes: [503],
      previousHostsAttempts: 5,
    });
    // Proxyless gRPC clients retry on gRPC status codes only.
    expect(defaultRetryPolicy('grpc')).toEqual({ retryOn: ['unavailable'], numRetries: 2 });
  });

  it('is turned off by the Mesh annotation or the same REST API tag (aws appmesh tag-resource)', () => {
    expect(defaultRetrySetting(mesh({ 'amime.io/default-retry-policy': 'Disabled' })).enabled).toBe(false);
    const tags = JSON.stringify({ tags: [{ key: 'amime.io/default-retry-policy', value: 'disabled' }] });
    expect(defaultRetrySetting(mesh({ [API_METADATA_ANNOTATION]: tags })).enabled).toBe(false);
  });

  it('stays on, with a problem naming the Mesh and the value, when the value is not understood', () => {
    expect(defaultRetrySetting(mesh({ 'amime.io/default-retry-policy': 'off' }))).toEqual({
      enabled: true,
      problem: expect.stringContaining('Mesh m: amime.io/default-retry-policy "off"'),
    });
  });
});
