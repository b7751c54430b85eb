import { describe, expect, it } from 'vitest';
import { API_METADATA_ANNOTATION } from '../model/api-form/index.js';
import { meshWithAnnotations } from './mesh-switch.testkit.js';
import { meshMtls } from './mesh-mtls.js';

const mesh = meshWithAnnotations;

describe('the mesh-level mTLS switch', () => {
  it('is off by default, and reads the annotation case-insensitively', () => {
    expect(meshMtls(mesh({}))).toEqual({ mode: 'DISABLED', callersOriginate: false });
    expect(meshMtls(mesh({ 'amime.io/mtls': 'strict' }))).toEqual({ mode: 'STRICT', callersOriginate: true });
  });

  it('PERMISSIVE: callers originate unless told to keep plaintext; STRICT always makes them originate', () => {
    expect(meshMtls(mesh({ 'amime.io/mtls': 'PERMISSIVE' })).callersOriginate).toBe(true);
    expect(
      meshMtls(mesh({ 'amime.io/mtls': 'PERMISSIVE', 'amime.io/mtls-callers': 'plaintext' }))
        .callersOriginate,
    ).toBe(false);
    expect(
      meshMtls(mesh({ 'amime.io/mtls': 'STRICT', 'amime.io/mtls-callers': 'plaintext' })).callersOriginate,
    ).toBe(true);
  });

  it('reads the same key from the REST API tags (aws appmesh tag-resource)', () => {
    const tags = JSON.stringify({
      uid: 'u',
      version: 1,
      tags: [{ key: 'amime.io/mtls', value: 'PERMISSIVE' }],
    });
    expect(meshMtls(mesh({ [API_METADATA_ANNOTATION]: tags })).mode).toBe('PERMISSIVE');
  });

  it('names a value it does not understand, and stays off', () => {
    expect(meshMtls(mesh({ 'amime.io/mtls': 'yes' }))).toEqual({
      mode: 'DISABLED',
      callersOriginate: false,
      problem: 'Mesh m: amime.io/mtls "YES" is not DISABLED, PERMISSIVE or STRICT; mesh mTLS stays off',
    });
  });
});
