// Lint rules that keep the shape of the code (docs/architecture.md): no import cycles, each
// folder of src/ imports only the folders below it, src/domain does no I/O, only src/store
// opens the database, and functions stay readable (about 60 lines at most).
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/** What each folder of src/ may import besides itself (the picture in docs/architecture.md). */
const MAY_IMPORT = {
  domain: [],
  env: ['domain'],
  layout: ['domain'],
  formats: ['domain'],
  store: ['domain', 'env', 'formats'],
  input: ['domain', 'env', 'formats', 'store'],
  scan: ['domain', 'env', 'formats', 'layout', 'store'],
  render: ['domain', 'env', 'formats', 'layout', 'input', 'store'],
  stamp: ['domain', 'env', 'formats', 'layout', 'render', 'store'],
  simulate: ['domain', 'env', 'formats', 'layout', 'input', 'render', 'scan', 'store'],
  ingest: ['domain', 'env', 'formats', 'layout', 'scan', 'store'],
  mail: ['domain', 'env', 'formats', 'layout', 'render', 'ingest', 'store'],
  rules: ['domain', 'env', 'formats', 'layout', 'input', 'mail', 'render', 'store'],
  plan: ['domain', 'env', 'formats', 'input', 'store'],
  report: ['domain', 'env', 'formats', 'layout', 'rules', 'plan', 'store'],
  archive: ['domain', 'env', 'formats', 'layout', 'rules', 'report', 'stamp', 'store'],
};

const NODE_IO = [
  'fs',
  'fs/promises',
  'child_process',
  'net',
  'http',
  'https',
  'worker_threads',
  'os',
  'dgram',
  'cluster',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'coverage/**', 'dist/**', 'test-output/**', '**/*.d.ts'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: Object.entries(MAY_IMPORT)
            .map(([folder, allowed]) => ({
              target: `./src/${folder}`,
              from: './src',
              except: [`./${folder}`, ...allowed.map((a) => `./${a}`)],
              message: `src/${folder} may import only ${allowed.length ? allowed.map((a) => `src/${a}`).join(', ') : 'itself'} (docs/architecture.md)`,
            }))
            .concat(
              [...Object.keys(MAY_IMPORT), 'cli']
                .filter((folder) => folder !== 'store')
                .map((folder) => ({
                  target: `./src/${folder}`,
                  from: './src/store/sql.ts',
                  message: 'The register is sealed: only src/store runs SQL; call (or add) a store function.',
                })),
            ),
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Only src/store opens the database.' },
            { name: 'pg', message: 'Only src/store opens the database.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...NODE_IO.flatMap((m) => [m, `node:${m}`]).map((name) => ({
              name,
              message: 'src/domain does no I/O: pass it the values it needs.',
            })),
            { name: 'better-sqlite3', message: 'Only src/store opens the database.' },
            { name: 'pg', message: 'Only src/store opens the database.' },
          ],
          patterns: [{ group: ['../*'], message: 'src/domain imports no other part of src/.' }],
        },
      ],
    },
  },
);
