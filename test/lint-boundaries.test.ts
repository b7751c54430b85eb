/**
 * The stage boundaries `npm run lint` enforces (eslint.config.js, docs/ARCHITECTURE.md
 * "Boundaries"): a stage imports only earlier stages, only through their index.ts,
 * and shipped code never imports test helpers.
 */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function problems(file: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

const refused: Array<[string, string, string]> = [
  ['src/envoy/x.ts', "import { a } from '../xds/index.js';", 'must not import a later stage'],
  ['src/proto/x.ts', "import { a } from '../model/index.js';", 'must not import a later stage'],
  ['src/k8s/x.test.ts', "import { a } from '../server/index.js';", 'must not import a later stage'],
  ['src/envoy/x.ts', "import { a } from '../mesh/graph.js';", 'import src/mesh through its index.ts'],
  ['src/envoy/ir/x.ts', "import type { a } from '../../mesh/graph.js';", 'through its index.ts'],
  ['src/cli/x.ts', "export { a } from '../server/serve.js';", 'import src/server through its index.ts'],
  [
    'src/api/x.ts',
    "import { a } from '../model/api-form/types.js';",
    'import src/model through its index.ts',
  ],
  ['src/k8s/x.ts', "import { a } from '../../test/k8s-double/apply.js';", 'must not import test helpers'],
];

const allowed: Array<[string, string]> = [
  ['src/envoy/ir/x.ts', "import { a } from '../../mesh/index.js';"],
  ['src/envoy/ir/x.ts', "import { a } from '../cluster.js';"],
  ['src/api/x.ts', "import { a } from '../model/api-form/index.js';"],
  ['src/cli/x.ts', "import { a } from '../server/index.js';"],
  ['src/k8s/x.test.ts', "import { a } from '../../test/k8s-double/apply.js';"],
];

describe('stage boundaries (eslint)', () => {
  for (const [file, line, message] of refused) {
    it(`refuses in ${file}: ${line}`, async () => {
      const found = await problems(file, `${line}\nexport const b = a;\n`);
      expect(found.join('\n')).toContain(message);
    });
  }
  for (const [file, line] of allowed) {
    it(`allows in ${file}: ${line}`, async () => {
      expect(await problems(file, `${line}\nexport const b = a;\n`)).toEqual([]);
    });
  }
});
