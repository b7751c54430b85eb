import { describe, expect, it } from 'vitest';
import type { Diagnostic, AnyResource } from '../model/index.js';
import { meshToCrd, virtualNodeToCrd } from '../model/api-form/index.js';
import type { StoredRecord } from '../store/index.js';
import { recordSetOf } from './record-set.js';
import {
  ChangeValidator,
  fullValidation,
  introducedErrors,
  rejectionFor,
  type DiagnosticsState,
  type MeshValidator,
} from './validate.js';

const ctx = { mesh: 'm', meshRef: { name: 'm', uid: 'u' } };
const rec = (key: string, modRevision: number, value: AnyResource): StoredRecord<AnyResource> => ({
  key,
  value,
  version: 1,
  createRevision: modRevision,
  modRevision,
});
const err = (message: string, code = 'x.y'): Diagnostic => ({
  severity: 'error',
  code,
  path: 'spec',
  message,
  resource: { kind: 'VirtualNode', name: 'a' },
});

/** Mesh m, then a create of node a checked by `v` and landed at revision 2: the records after it. */
function createA(v: ChangeValidator) {
  const mesh = rec('Mesh/_/m', 1, meshToCrd('m'));
  const a = virtualNodeToCrd('a', {}, ctx);
  const first = v.check({
    mesh: 'm',
    current: recordSetOf([mesh]),
    key: 'VirtualNode/_/m%2Fa',
    resource: a,
    namespaces: [],
  });
  v.landed(first, { key: 'VirtualNode/_/m%2Fa', modRevision: 2 });
  return { mesh, a, current: recordSetOf([mesh, rec('VirtualNode/_/m%2Fa', 2, a)]) };
}

describe('change validation', () => {
  it('rejects only errors the change introduces; quota errors become LimitExceededException', () => {
    expect(introducedErrors([err('old')], [err('old'), err('new')])).toEqual([err('new')]);
    expect(introducedErrors([err('same'), err('same')], [err('same'), err('same')])).toEqual([]);
    expect(rejectionFor([err('bad')])).toMatchObject({
      errorType: 'BadRequestException',
      message: 'VirtualNode a: spec: bad',
    });
    expect(rejectionFor([err('bad'), err('too many', 'quota.virtualNodesPerMesh')])).toMatchObject({
      errorType: 'LimitExceededException',
      message: 'VirtualNode a: spec: too many',
    });
    expect(rejectionFor([])).toBeUndefined();
  });

  it('validates once per write when writes follow each other, again when the mesh changed elsewhere', () => {
    let calls = 0;
    const validate: MeshValidator = () => {
      calls++;
      return [];
    };
    const v = new ChangeValidator(fullValidation(validate));
    const { mesh, a, current } = createA(v);
    expect(calls).toBe(2);
    const b = virtualNodeToCrd('b', {}, ctx);
    v.check({ mesh: 'm', current, key: 'VirtualNode/_/m%2Fb', resource: b, namespaces: [] });
    expect(calls).toBe(3);
    // Someone else rewrote node a (revision 3): the cached state no longer applies.
    v.check({
      mesh: 'm',
      current: recordSetOf([mesh, rec('VirtualNode/_/m%2Fa', 3, a)]),
      key: 'VirtualNode/_/m%2Fb',
      resource: b,
      namespaces: [],
    });
    expect(calls).toBe(5);
  });

  it('validates again when the namespaces or their labels changed, not when they are the same again', () => {
    let calls = 0;
    const v = new ChangeValidator(
      fullValidation(() => {
        calls++;
        return [];
      }),
    );
    const { current } = createA(v);
    const b = virtualNodeToCrd('b', {}, ctx);
    const check = (labels: Record<string, string>) =>
      v.check({
        mesh: 'm',
        current,
        key: 'VirtualNode/_/m%2Fb',
        resource: b,
        namespaces: [{ name: 'ns', labels }],
      });
    check({ team: 'a' });
    expect(calls).toBe(4); // the mesh under these labels, then the change
    check({ team: 'a' });
    expect(calls).toBe(5); // the same state: the change only
    check({ team: 'b' });
    expect(calls).toBe(7);
    expect(check({ team: 'a' }).namespaceState).not.toBe(check({ team: 'b' }).namespaceState);
  });

  it('validates a create from the state before, as an update (incremental where the validator can be)', () => {
    const seen: string[] = [];
    const state: DiagnosticsState = {
      diagnostics: [],
      update: (r) => {
        seen.push(`update ${r.metadata.name}`);
        return state;
      },
    };
    const v = new ChangeValidator((input) => {
      seen.push(`build ${input.resources.length}`);
      return state;
    });
    const { current } = createA(v);
    v.check({
      mesh: 'm',
      current,
      key: 'VirtualNode/_/m%2Fb',
      resource: virtualNodeToCrd('b', {}, ctx),
      namespaces: [],
    });
    expect(seen).toEqual(['build 1', 'update a', 'update b']);
  });
});
