/**
 * `terraform show -json` shapes (Terraform's "JSON Output Format": values.root_module
 * for a state, planned_values.root_module for a plan, child_modules nested).
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../model/index.js';
import { importTerraform } from './terraform.js';

const mesh = (values: Record<string, unknown>, address = 'aws_appmesh_mesh.m') => ({
  address,
  mode: 'managed',
  type: 'aws_appmesh_mesh',
  name: 'm',
  values: { name: 'shop', spec: [], tags: null, tags_all: {}, ...values },
});

describe('importTerraform', () => {
  it('reads a plan’s planned_values and child modules, and skips data sources', () => {
    const plan = {
      format_version: '1.2',
      planned_values: {
        root_module: {
          resources: [{ ...mesh({}), mode: 'data', address: 'data.aws_appmesh_mesh.m' }],
          child_modules: [{ address: 'module.m', resources: [mesh({}, 'module.m.aws_appmesh_mesh.m')] }],
        },
      },
    };
    const r = importTerraform(JSON.stringify(plan, null, 1), 'plan.json');
    expect(r.diagnostics).toEqual([]);
    expect(r.resources.map((x) => [x.kind, x.name, x.origin.id.name])).toEqual([
      ['Mesh', 'shop', 'module.m.aws_appmesh_mesh.m'],
    ]);
  });

  it('a name not known until apply is an error naming the attribute and the fix', () => {
    const plan = {
      planned_values: {
        root_module: {
          resources: [
            {
              address: 'aws_appmesh_virtual_node.api',
              mode: 'managed',
              type: 'aws_appmesh_virtual_node',
              values: { name: 'api', spec: [{}] },
            },
          ],
        },
      },
    };
    const r = importTerraform(JSON.stringify(plan, null, 1), 'plan.json');
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      'plan.json:9:16: error: terraform aws_appmesh_virtual_node.api: values.mesh_name: mesh_name is not known: in a plan it comes from a resource not created yet; import the state after terraform apply (terraform show -json), or write mesh_name as a literal [import.unresolved]',
    ]);
  });

  it('a state without App Mesh resources, and a file that is no terraform output, are errors that say what to pass', () => {
    const empty = importTerraform(
      JSON.stringify({
        values: {
          root_module: {
            resources: [{ address: 'aws_s3_bucket.b', mode: 'managed', type: 'aws_s3_bucket', values: {} }],
          },
        },
      }),
      'state.json',
    );
    expect(empty.diagnostics.map(formatDiagnostic)).toEqual([
      'state.json:1:26: error: no aws_appmesh_* resources among the 1 managed resources (aws_s3_bucket.b) of values.root_module and its child modules; pass the state (terraform show -json) of the configuration that manages the mesh [import.no-resources]',
    ]);
    const other = importTerraform('{"resources": []}', 'x.json');
    expect(other.diagnostics[0]?.code).toBe('import.unknown-shape');
    expect(other.diagnostics[0]?.message).toMatch(/run terraform show -json > state.json/);
  });

  it('a shared mesh’s owner is kept when it differs from the resource’s account', () => {
    const state = {
      values: {
        root_module: {
          resources: [
            {
              address: 'aws_appmesh_virtual_service.s',
              mode: 'managed',
              type: 'aws_appmesh_virtual_service',
              values: {
                name: 's',
                mesh_name: 'shop',
                mesh_owner: '999999999999',
                arn: 'arn:aws:appmesh:us-east-1:111122223333:mesh/shop/virtualService/s',
                spec: [{ provider: [] }],
                tags_all: { team: 'x' },
              },
            },
          ],
        },
      },
    };
    const r = importTerraform(JSON.stringify(state), 's.json');
    expect(r.resources[0]).toMatchObject({
      meshOwner: '999999999999',
      spec: {},
      tags: [{ key: 'team', value: 'x' }],
    });
  });
});
