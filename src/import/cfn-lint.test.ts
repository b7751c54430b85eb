/**
 * The CloudFormation goldens are templates CloudFormation accepts: AWS's cfn-lint checks
 * them against the `AWS::AppMesh::*` resource schemas (property names, shapes, enums)
 * and the template rules (intrinsics, references, circular dependencies). Only its
 * W3696 (App Mesh reaches end of support) is left out; warnings the goldens mean to
 * carry (an unused condition, an unused CDK asset parameter) are allowed, errors not.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CFN_LINT, describeWithPrograms, programPath } from '../../test/support/system-programs.js';

const IN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata/in');
const TEMPLATES = ['mesh.template.yaml', 'cdk.template.json', 'cdk-synth/ShopMeshStack.template.json'];

describeWithPrograms('import goldens under cfn-lint', [CFN_LINT], (programs) => {
  it.each(TEMPLATES)('%s has no cfn-lint error', async (template) => {
    const out = await new Promise<string>((resolve) => {
      execFile(
        programPath(programs, CFN_LINT),
        ['--format', 'parseable', '--ignore-checks', 'W3696', '--', path.join(IN, template)],
        { timeout: 60_000 },
        (_error, stdout, stderr) => resolve(`${stdout}${stderr}`),
      );
    });
    const findings = out.split('\n').filter(Boolean);
    expect(findings.filter((line) => !/:[WI]\d{4}:/.test(line))).toEqual([]);
  });
});
