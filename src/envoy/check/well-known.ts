/**
 * The string formats protoc-gen-validate knows by name (`hostname`, `ip`,
 * `well_known_regex: HTTP_HEADER_NAME`, ...), with PGV's meaning of each.
 */
import { isIP } from 'node:net';

/** RFC 7230 token, optionally an HTTP/2 pseudo-header (`:authority`). */
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
/** No control characters except horizontal tab. */
const HEADER_VALUE_STRICT = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
/** `strict: false`: only NUL, LF and CR are refused (what Envoy's header map refuses). */
const HEADER_STRING_LOOSE = /^[^\u0000\u000A\u000D]*$/;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

export function isHostname(s: string): boolean {
  const host = s.endsWith('.') ? s.slice(0, -1) : s;
  if (host.length === 0 || host.length > 253) return false;
  for (const part of host.split('.')) if (part.length > 63 || !LABEL.test(part)) return false;
  return true;
}

export function isEmail(s: string): boolean {
  const bracket = s.match(/<([^>]*)>\s*$/);
  const addr = bracket ? (bracket[1] as string) : s;
  if (addr.length > 254) return false;
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  return isHostname(addr.slice(at + 1)) && !/\s/.test(addr.slice(0, at));
}

export function isUri(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

export function isUriRef(s: string): boolean {
  if (/\s/.test(s)) return false;
  try {
    new URL(s, 'http://example.invalid/');
    return true;
  } catch {
    return false;
  }
}

/** Name of the PGV string format that `s` fails, or undefined if it passes. */
export type StringFormat =
  'email' | 'hostname' | 'ip' | 'ipv4' | 'ipv6' | 'uri' | 'uri_ref' | 'address' | 'uuid';

export const STRING_FORMATS: readonly StringFormat[] = [
  'email',
  'hostname',
  'ip',
  'ipv4',
  'ipv6',
  'uri',
  'uri_ref',
  'address',
  'uuid',
];

export function matchesFormat(format: StringFormat, s: string): boolean {
  switch (format) {
    case 'email':
      return isEmail(s);
    case 'hostname':
      return isHostname(s);
    case 'ip':
      return isIP(s) !== 0;
    case 'ipv4':
      return isIP(s) === 4;
    case 'ipv6':
      return isIP(s) === 6;
    case 'uri':
      return isUri(s);
    case 'uri_ref':
      return isUriRef(s);
    case 'address':
      return isIP(s) !== 0 || isHostname(s);
    case 'uuid':
      return UUID.test(s);
  }
}

/** The regular expression behind `well_known_regex`, honouring `strict` (default true). */
export function wellKnownRegex(name: string, strict: boolean): RegExp | undefined {
  if (name === 'HTTP_HEADER_NAME') return strict ? HEADER_NAME_STRICT : HEADER_STRING_LOOSE;
  if (name === 'HTTP_HEADER_VALUE') return strict ? HEADER_VALUE_STRICT : HEADER_STRING_LOOSE;
  return undefined;
}
