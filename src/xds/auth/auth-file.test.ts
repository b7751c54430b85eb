import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.js';
import { AuthConfigError, loadAuthConfig, parseAuthConfig } from './auth-file.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const policy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'appmesh:StreamAggregatedResources', Resource: '*' }],
};
const noFiles = (): never => {
  throw new Error('no files here');
};

describe('proxy credentials file', () => {
  it('accepts YAML or JSON, as a list or under "principals"', () => {
    const yaml = `principals:\n  - name: a\n    tokenSha256: ${sha('t')}\n    policies: [${JSON.stringify(policy)}]\n`;
    const cfg = parseAuthConfig(yaml, 'f.yaml', noFiles);
    expect(cfg.principals).toHaveLength(1);
    expect(cfg.principals[0]!.tokenSha256).toEqual(createHash('sha256').update('t').digest());
    const json = JSON.stringify([{ name: 'b', certificate: { subjectCN: 'b' }, policies: [policy] }]);
    expect(parseAuthConfig(json, 'f.json', noFiles).principals[0]!.certificate).toEqual({ subjectCN: 'b' });
  });

  it('loads policies referenced by path relative to the file', async () => {
    const dir = tempDir('amime-authfile-');
    writeFileSync(path.join(dir, 'p.json'), JSON.stringify(policy));
    const file = path.join(dir, 'creds.yaml');
    writeFileSync(file, `- name: a\n  tokenSha256: ${sha('t')}\n  policies: [./p.json]\n`);
    const cfg = await loadAuthConfig(file);
    expect(cfg.principals[0]!.policies[0]!.name).toBe('./p.json');
    writeFileSync(file, `- name: a\n  tokenSha256: ${sha('t')}\n  policies: [./missing.json]\n`);
    await expect(loadAuthConfig(file)).rejects.toThrow(/cannot read policy "\.\/missing\.json"/);
  });

  it('reports every problem with its path', () => {
    const text = [
      'principals:',
      '  - name: a',
      '    tokenSha256: not-hex',
      '    policies: []',
      '  - name: a',
      '    certificate: { subjectCN: 3 }',
      '    policies: [{ Statement: [{ Effect: Allow, Action: "*", Resource: "*", Condition: {} }] }]',
      '  - name: c',
      '    policies: {}',
      '    extra: 1',
    ].join('\n');
    try {
      parseAuthConfig(text, 'creds.yaml', noFiles);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AuthConfigError);
      const d = (e as AuthConfigError).diagnostics.map((x) => `${x.path} ${x.code}`);
      expect(d).toEqual([
        'principals[0].tokenSha256 auth.token',
        'principals[1].name auth.duplicate',
        'principals[1].certificate auth.certificate',
        'Statement[0].Condition iam.unsupported',
        'principals[2].extra auth.unknown-field',
        'principals[2] auth.credentials',
        'principals[2].policies auth.required',
      ]);
      expect((e as Error).message).toMatch(/creds\.yaml.*tokenSha256 must be 64 hex characters/);
    }
  });

  it('rejects a file that is not a list of principals', () => {
    expect(() => parseAuthConfig('just a string', 'f', noFiles)).toThrow(/expected a list of principals/);
    expect(() => parseAuthConfig('a: [', 'f', noFiles)).toThrow(AuthConfigError);
  });
});
