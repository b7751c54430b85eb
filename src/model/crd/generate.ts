/**
 * Builds the `apiextensions.k8s.io/v1` CustomResourceDefinition of each kind from
 * the same TypeBox schemas that validate resources, so the CRDs cannot drift from
 * the model. Shape follows App Mesh's CRDs (appmesh.md §1.0): one version
 * `v1beta2` served and stored, a status subresource, ARN and AGE columns, and
 * unknown fields preserved at the root.
 */
import type { Kind } from '../kinds.js';
import { API_GROUP, isNamespaced } from '../kinds.js';
import { KIND_INFO } from '../resources.js';
import { toStructural, type JSONSchemaProps } from './structural.js';

export const CRD_VERSION = 'v1beta2';

export interface PrinterColumn {
  description?: string;
  jsonPath: string;
  name: string;
  type: 'string' | 'date';
}

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: {
    group: string;
    names: { categories?: string[]; kind: string; listKind: string; plural: string; singular: string };
    scope: 'Cluster' | 'Namespaced';
    versions: Array<{
      additionalPrinterColumns?: PrinterColumn[];
      name: string;
      schema: { openAPIV3Schema: JSONSchemaProps };
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
    }>;
  };
}

export function crdName(kind: Kind): string {
  return `${KIND_INFO[kind].plural}.${API_GROUP}`;
}

export function generateCrd(kind: Kind): CustomResourceDefinition {
  const info = KIND_INFO[kind];
  const columns = printerColumns(kind, info.arnStatusField);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(kind) },
    spec: {
      group: API_GROUP,
      names: {
        ...(kind === 'Mesh' ? {} : { categories: ['all'] }),
        kind,
        listKind: `${kind}List`,
        plural: info.plural,
        singular: kind.toLowerCase(),
      },
      scope: isNamespaced(kind) ? 'Namespaced' : 'Cluster',
      versions: [
        {
          ...(columns.length > 0 ? { additionalPrinterColumns: columns } : {}),
          name: CRD_VERSION,
          schema: { openAPIV3Schema: rootSchema(kind) },
          served: true,
          storage: true,
          subresources: { status: {} },
        },
      ],
    },
  };
}

function printerColumns(kind: Kind, arnStatusField: string | undefined): PrinterColumn[] {
  if (!arnStatusField) return [];
  return [
    {
      description: `The App Mesh ARN of the ${kind}`,
      jsonPath: `.status.${arnStatusField}`,
      name: 'ARN',
      type: 'string',
    },
    { jsonPath: '.metadata.creationTimestamp', name: 'AGE', type: 'date' },
  ];
}

function rootSchema(kind: Kind): JSONSchemaProps {
  const info = KIND_INFO[kind];
  const spec = toStructural(info.spec, 'spec');
  const status = toStructural(info.status, 'status');
  return {
    description: `${kind} is the Schema for the ${info.plural} API (App Mesh ${kind}).`,
    properties: {
      apiVersion: {
        description: 'APIVersion defines the versioned schema of this representation of an object.',
        type: 'string',
      },
      kind: {
        description: 'Kind is a string value representing the REST resource this object represents.',
        type: 'string',
      },
      metadata: { type: 'object' },
      spec: { description: `The desired state of the ${kind}.`, ...spec },
      status: { description: `The observed state of the ${kind}, written by the controller.`, ...status },
    },
    type: 'object',
    // App Mesh keeps unknown fields rather than pruning them; so do we.
    'x-kubernetes-preserve-unknown-fields': true,
  };
}
