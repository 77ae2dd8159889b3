// Lint: TypeScript's promise and import hygiene, plus the architecture as import rules.
// Modelled on temporalio/samples-typescript message-passing/safe-message-handlers/.eslintrc.js.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const up = '^(\\.\\./)+'; // a relative import that leaves the importing folder
const folders = (...names) => `${up}(${names.join('|')})(/|$)`;
const nodeBuiltins = {
  regex: `^(node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`,
  message: 'No Node built-ins here: this code must run anywhere (and inside the workflow sandbox).',
};

// The pure core (machines/, policies/) knows nothing of the adapters, Temporal, the database or HTTP.
const core = ({ builtins }) => [
  {
    regex: folders('workflows', 'activities', 'api', 'db', 'stack', 'notifications', 'codec'),
    message: 'The pure core (machines/, policies/) imports no adapter; pass what it needs in as data.',
  },
  { regex: '^(pg|pg-.*)(/|$)', message: 'No database in the pure core: SQL belongs in db/ or activities/.' },
  { regex: '^@temporalio/', message: 'The pure core knows nothing of Temporal: that is workflows/ and activities/.' },
  { regex: '^(fastify|@fastify/)', message: 'No HTTP in the pure core: that is api/.' },
  ...(builtins ? [nodeBuiltins] : []),
];

// Workflow code is replayed in Temporal's sandbox: deterministic, thin, a small bundle.
const workflow = [
  nodeBuiltins,
  {
    regex: folders('api', 'db', 'stack', 'notifications', 'codec'),
    message: 'Workflow code imports no adapter: only machines/, policies/types and its own definitions.',
  },
  {
    regex: `${up}activities/types$`,
    allowTypeImports: true,
    message: 'Workflows call activities through proxyActivities: import their types only (`import type`).',
  },
  {
    regex: `${up}activities(?!/types$)(/|$)`,
    message: 'Workflows call activities through proxyActivities, never directly.',
  },
  {
    regex: `${up}policies/(schema|catalogue|store|source|coverage)$`,
    message: 'Pulls zod, files or SQL into the workflow bundle: import policies/types, or pass the data in.',
  },
  { regex: '^(pg|pg-.*)(/|$)', message: 'No database in workflow code: use an activity.' },
  { regex: '^zod(/|$)', message: 'No zod in the workflow bundle: validate at the edge (api/).' },
  {
    regex: '^@temporalio/(client|worker|activity|testing)(/|$)',
    message: 'Workflow code may use @temporalio/workflow and @temporalio/common only.',
  },
];

const restrict = (patterns) => ({
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'tmp/', 'test/histories/', 'docs/', 'dist/'] },
  js.configs.recommended,
  // The watchdog runs as plain CommonJS under node, beside the TypeScript.
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } } },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      // Forgetting to await an activity, a workflow API or a query is a bug.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'object-shorthand': ['error', 'always'],
      // A runtime import cycle (type-only imports are not counted) fails CI.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // Tests, benchmarks and the administrators' command line read untyped JSON answers; elsewhere
  // `any` needs a reason.
  { files: ['test/**/*.ts', 'bench/**/*.ts', 'admin-cli.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['machines/**/*.ts', 'policies/**/*.ts'], rules: restrict(core({ builtins: true })) },
  // The one file of the core that reads the disk: the policy catalogue loader (policies/*.json).
  { files: ['policies/catalogue.ts'], rules: restrict(core({ builtins: false })) },
  { files: ['workflows/**/*.ts'], rules: restrict(workflow) },
  prettier,
);
