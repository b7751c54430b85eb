/**
 * Loads @peculiar/x509 (the X.509 library; Node's WebCrypto does the cryptography). Its
 * dependency tsyringe needs the Reflect metadata API, which Node does not have:
 * `reflect-metadata` (the standard polyfill) is loaded first.
 */
import 'reflect-metadata';
import type * as X509Module from '@peculiar/x509';

export type X509 = typeof X509Module;
export type Certificate = InstanceType<X509['X509Certificate']>;

let loaded: Promise<X509> | undefined;

export function loadX509(): Promise<X509> {
  loaded ??= import('@peculiar/x509');
  return loaded;
}
