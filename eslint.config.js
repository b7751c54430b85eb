import tseslint from 'typescript-eslint';

/**
 * Stage boundaries (docs/ARCHITECTURE.md, "Boundaries"): each folder under src/ is a
 * stage; a stage imports only the stages before it in this list, and only through
 * their index.ts (the model also offers its REST API form, model/api-form/index.ts).
 * Within a stage, anything goes; tests follow the same rules as the code beside them.
 */
const STAGES = [
  'proto',
  'model',
  'load',
  'mesh',
  'envoy',
  'xds',
  'store',
  'ca',
  'api',
  'k8s',
  'console',
  'server',
  'import',
  'export',
  'cli',
];
const ENTRY_POINTS = { model: ['index.js', 'api-form/index.js'] };

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function boundaryPatterns(stage) {
  const position = STAGES.indexOf(stage);
  const higher = STAGES.slice(position + 1);
  const lower = STAGES.slice(0, position);
  const patterns = [];
  if (higher.length > 0)
    patterns.push({
      regex: `^(\\.\\./)+(${higher.join('|')})(/|$)`,
      message: `src/${stage} must not import a later stage (order: ${STAGES.join(' < ')}); see docs/ARCHITECTURE.md "Boundaries".`,
    });
  for (const other of lower) {
    const entries = (ENTRY_POINTS[other] ?? ['index.js']).map(escape).join('|');
    patterns.push({
      regex: `^(\\.\\./)+${other}/(?!(${entries})$)`,
      message: `import src/${other} through its index.ts (export what you need there); see docs/ARCHITECTURE.md "Boundaries".`,
    });
  }
  return patterns;
}

const NO_TEST_HELPERS = {
  regex: '^(\\.\\./)+test/',
  message: 'shipped code must not import test helpers from test/ (they are not compiled into dist/).',
};

export default tseslint.config(
  // .stryker-tmp: the copies of the sources a running `npm run mutation` makes.
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'amime-data/**',
      '**/testdata/**',
      'coverage/**',
      '.stryker-tmp/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...STAGES.flatMap((stage) => [
    {
      files: [`src/${stage}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns: boundaryPatterns(stage) }] },
    },
    {
      // Shipped code never depends on test helpers (they are not compiled into dist/).
      files: [`src/${stage}/**/*.ts`],
      ignores: ['src/**/*.test.ts', 'src/**/*.testkit.ts'],
      rules: {
        'no-restricted-imports': ['error', { patterns: [...boundaryPatterns(stage), NO_TEST_HELPERS] }],
      },
    },
  ]),
);
