import { describe, expect, it } from 'vitest';
import { loadText } from '../load/index.js';
import { planApply } from './apply-plan.js';

const MESHES = `apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: {name: m}
spec: {namespaceSelector: {matchLabels: {mesh: m}}}
---
apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata: {name: other}
spec: {namespaceSelector: {matchLabels: {mesh: other}}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ns, labels: {mesh: m}}
`;

const node = (name: string, spec: string) => `---
apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata: {name: ${name}, namespace: ns}
spec: ${spec}
`;

function plan(text: string) {
  return planApply(loadText(`${MESHES}${text}`, 'in.yaml'));
}

describe('planApply', () => {
  // Issue 16 item 4: in manifests the namespace's selection decides; meshRef is the system's.
  it('places a resource by the Mesh that selects its namespace, not by its meshRef', () => {
    const { steps } = plan(node('a', '{meshRef: {name: other, uid: u}}'));
    expect(steps.find((s) => s.kind === 'VirtualNode')).toMatchObject({ mesh: 'm', name: 'a_ns' });
  });

  // Issue 16 item 6: what remains of an object with schema errors is checked, never applied.
  it('plans no step for an object with schema errors', () => {
    const { steps, diagnostics } = plan(
      `${node('good', '{}')}${node('bad', '{listeners: [{portMapping: {port: 0, protocol: http}}]}')}`,
    );
    expect(steps.filter((s) => s.kind === 'VirtualNode').map((s) => s.name)).toEqual(['good_ns']);
    expect(diagnostics.some((d) => d.severity === 'error' && d.path.startsWith('spec.listeners'))).toBe(true);
  });
});
