/**
 * A Terraform configuration (hashicorp/aws `aws_appmesh_*`) that creates the resources
 * of App Mesh API JSON (`amime export -o api`, the import goldens): what a team would
 * have written, so a real provider can apply it and `terraform show -json` can be
 * imported back. Written by the provider's naming: snake_case, a list of objects as
 * repeated blocks named in the singular (`listener`, `weighted_target`), Cloud Map
 * `attributes` and `tags` as maps. Resources are chained with `depends_on` in creation
 * order, as their names are literals.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface ApiDocument {
  [kind: string]: {
    meshName: string;
    spec: Record<string, Json>;
    tags?: Array<{ key: string; value: string }>;
    [name: string]: Json | undefined;
  };
}

const TYPES: ReadonlyArray<[kind: string, type: string]> = [
  ['mesh', 'aws_appmesh_mesh'],
  ['virtualNode', 'aws_appmesh_virtual_node'],
  ['virtualRouter', 'aws_appmesh_virtual_router'],
  ['route', 'aws_appmesh_route'],
  ['virtualService', 'aws_appmesh_virtual_service'],
  ['virtualGateway', 'aws_appmesh_virtual_gateway'],
  ['gatewayRoute', 'aws_appmesh_gateway_route'],
];

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** An HCL string: JSON's escapes, and no template sequences (`${`, `%{`). */
const text = (v: Json) => JSON.stringify(v).replaceAll('${', '$${').replaceAll('%{', '%%{');

function body(value: Record<string, Json>, indent: string): string {
  let out = '';
  for (const [key, v] of Object.entries(value)) {
    const name = snake(key);
    if (Array.isArray(v) && key === 'attributes') {
      const entries = (v as Array<{ key: string; value: string }>).map(
        (a) => `${indent}  ${text(a.key)} = ${text(a.value)}\n`,
      );
      out += `${indent}${name} = {\n${entries.join('')}${indent}}\n`;
    } else if (Array.isArray(v) && v.some((item) => typeof item === 'object' && item !== null)) {
      const block = name.endsWith('s') ? name.slice(0, -1) : name;
      for (const item of v)
        out += `${indent}${block} {\n${body(item as Record<string, Json>, `${indent}  `)}${indent}}\n`;
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v))
      out += `${indent}${name} {\n${body(v, `${indent}  `)}${indent}}\n`;
    else out += `${indent}${name} = ${text(v)}\n`;
  }
  return out;
}

/** main.tf for `documents`, against the App Mesh endpoint given as `-var appmesh_endpoint=URL`. */
export function terraformConfig(documents: readonly ApiDocument[]): string {
  let out = `variable "appmesh_endpoint" {
  type = string
}

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "AKIDEXAMPLE"
  secret_key                  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    appmesh = var.appmesh_endpoint
  }
}
`;
  const created: string[][] = TYPES.map(() => []);
  documents.forEach((doc, i) => {
    const [kind, r] = Object.entries(doc)[0]!;
    const at = TYPES.findIndex(([k]) => k === kind);
    const type = TYPES[at]![1];
    const before = created.slice(0, at).findLast((ids) => ids.length > 0);
    let b = `  name = ${text((r[`${kind}Name`] as string | undefined) ?? r.meshName)}\n`;
    if (kind !== 'mesh') b += `  mesh_name = ${text(r.meshName)}\n`;
    if (kind === 'route') b += `  virtual_router_name = ${text(r.virtualRouterName as string)}\n`;
    if (kind === 'gatewayRoute') b += `  virtual_gateway_name = ${text(r.virtualGatewayName as string)}\n`;
    b += `  spec {\n${body(r.spec, '    ')}  }\n`;
    if (r.tags)
      b += `  tags = {\n${r.tags.map((t) => `    ${text(t.key)} = ${text(t.value)}\n`).join('')}  }\n`;
    if (before) b += `  depends_on = [${before.join(', ')}]\n`;
    out += `\nresource "${type}" "r${i}" {\n${b}}\n`;
    created[at]!.push(`${type}.r${i}`);
  });
  return out;
}
