import { describe, expect, it } from 'vitest';
import type { AnyResource, GatewayRoute, LabelSelector, Mesh, VirtualGateway } from '../model/index.js';
import { gatewaysSelecting, meshesSelecting, meshRefName, usableMeshes } from './placement.js';

// Plain objects with only the fields the placement rules read.
const resource = (spec: unknown) =>
  ({ kind: 'VirtualNode', metadata: { name: 'r' }, spec }) as unknown as AnyResource;

const meshOf = (name: string, namespaceSelector?: LabelSelector): Mesh =>
  ({
    kind: 'Mesh',
    metadata: { name },
    spec: namespaceSelector ? { namespaceSelector } : {},
  }) as unknown as Mesh;

const gatewayOf = (
  name: string,
  namespace: string,
  spec: { namespaceSelector?: LabelSelector; gatewayRouteSelector?: LabelSelector },
): VirtualGateway =>
  ({ kind: 'VirtualGateway', metadata: { name, namespace }, spec }) as unknown as VirtualGateway;

const routeOf = (namespace: string, labels?: Record<string, string>): GatewayRoute =>
  ({
    kind: 'GatewayRoute',
    metadata: { name: 'route', namespace, ...(labels ? { labels } : {}) },
    spec: {},
  }) as unknown as GatewayRoute;

const names = (list: ReadonlyArray<{ metadata: { name: string } }>) => list.map((x) => x.metadata.name);
const id = <T>(x: T) => x;

describe('meshRefName', () => {
  it('is spec.meshRef.name when it is a string', () => {
    expect(meshRefName(resource({ meshRef: { name: 'm' } }))).toBe('m');
    expect(meshRefName(resource({ meshRef: { name: '' } }))).toBe('');
  });

  it('is undefined without a usable meshRef', () => {
    expect(meshRefName(resource(undefined))).toBeUndefined();
    expect(meshRefName(resource({}))).toBeUndefined();
    expect(meshRefName(resource({ meshRef: null }))).toBeUndefined();
    expect(meshRefName(resource({ meshRef: 'm' }))).toBeUndefined();
    expect(meshRefName(resource({ meshRef: {} }))).toBeUndefined();
    expect(meshRefName(resource({ meshRef: { name: 7 } }))).toBeUndefined();
    expect(meshRefName(resource({ meshRef: { name: null } }))).toBeUndefined();
  });
});

describe('usableMeshes and meshesSelecting', () => {
  const selecting = meshOf('selecting', { matchLabels: { mesh: 'a' } });
  const everything = meshOf('everything', {});
  const noSelector = meshOf('no-selector');
  const broken = meshOf('broken', { matchLabels: { mesh: 'not a value' } });

  it('a Mesh with a selector Kubernetes cannot parse is not usable', () => {
    expect(names(usableMeshes([selecting, broken, noSelector], id))).toEqual(['selecting', 'no-selector']);
  });

  it('with known labels: the Meshes whose selector matches them; no selector selects nothing', () => {
    const usable = [selecting, everything, noSelector];
    expect(names(meshesSelecting(usable, id, { mesh: 'a' }))).toEqual(['selecting', 'everything']);
    expect(names(meshesSelecting(usable, id, { mesh: 'b' }))).toEqual(['everything']);
    expect(names(meshesSelecting(usable, id, {}))).toEqual(['everything']);
  });

  it('with unknown labels: every Mesh that has a namespaceSelector', () => {
    expect(names(meshesSelecting([selecting, noSelector, everything], id, undefined))).toEqual([
      'selecting',
      'everything',
    ]);
  });
});

describe('gatewaysSelecting', () => {
  const nsA = { team: 'a' };

  it('leaves out gateways with a selector Kubernetes cannot parse, even when it would match', () => {
    const badNs = gatewayOf('bad-ns', 'gw', {
      namespaceSelector: { matchLabels: { team: 'a', 'bad key!': 'x' } },
    });
    const badRoutes = gatewayOf('bad-routes', 'gw', {
      namespaceSelector: { matchLabels: nsA },
      gatewayRouteSelector: { matchLabels: { app: 'not a value' } },
    });
    const good = gatewayOf('good', 'gw', { namespaceSelector: { matchLabels: nsA } });
    const route = routeOf('ns', { app: 'not a value' });
    const labels = { team: 'a', 'bad key!': 'x' };
    expect(names(gatewaysSelecting([badNs, badRoutes, good], id, route, labels))).toEqual(['good']);
    expect(names(gatewaysSelecting([badNs, badRoutes], id, route, labels))).toEqual([]);
    expect(names(gatewaysSelecting([badNs, badRoutes], id, route, undefined))).toEqual([]);
  });

  it('needs the namespace selected and the route labels selected (no route selector selects all)', () => {
    const all = gatewayOf('all-routes', 'gw', { namespaceSelector: { matchLabels: nsA } });
    const blue = gatewayOf('blue-routes', 'gw', {
      namespaceSelector: { matchLabels: nsA },
      gatewayRouteSelector: { matchLabels: { color: 'blue' } },
    });
    const noNs = gatewayOf('no-ns-selector', 'ns', {});
    const gateways = [all, blue, noNs];
    expect(names(gatewaysSelecting(gateways, id, routeOf('ns', { color: 'blue' }), nsA))).toEqual([
      'all-routes',
      'blue-routes',
    ]);
    expect(names(gatewaysSelecting(gateways, id, routeOf('ns'), nsA))).toEqual(['all-routes']);
    expect(names(gatewaysSelecting(gateways, id, routeOf('ns', { color: 'blue' }), { team: 'b' }))).toEqual(
      [],
    );
  });

  it('with known namespace labels every selecting gateway counts, wherever it is', () => {
    const local = gatewayOf('local', 'ns', { namespaceSelector: {} });
    const remote = gatewayOf('remote', 'gw', { namespaceSelector: {} });
    expect(names(gatewaysSelecting([remote, local], id, routeOf('ns'), nsA))).toEqual(['remote', 'local']);
  });

  it('with unknown namespace labels: gateways with a namespaceSelector, those in the route’s namespace first', () => {
    const local = gatewayOf('local', 'ns', { namespaceSelector: { matchLabels: { team: 'x' } } });
    const remote = gatewayOf('remote', 'gw', { namespaceSelector: { matchLabels: { team: 'y' } } });
    const remote2 = gatewayOf('remote2', 'gw2', { namespaceSelector: {} });
    const noNs = gatewayOf('no-ns-selector', 'ns', {});
    expect(names(gatewaysSelecting([remote, local, noNs], id, routeOf('ns'), undefined))).toEqual(['local']);
    expect(names(gatewaysSelecting([remote, remote2, noNs], id, routeOf('ns'), undefined))).toEqual([
      'remote',
      'remote2',
    ]);
    expect(names(gatewaysSelecting([remote, noNs], id, routeOf('ns'), undefined))).toEqual(['remote']);
    expect(names(gatewaysSelecting([noNs], id, routeOf('ns'), undefined))).toEqual([]);
  });
});
