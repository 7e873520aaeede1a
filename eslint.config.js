// Lint rules, including the layering of docs/architecture.md: each layer may import only the
// layers above it (wire -> topology -> engine -> capture/server/cli/attach, the engine through its
// boundary src/engine/index.ts; web -> server API types, src/wire, src/engine/rules.ts and copy-tree.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, message, extra = []) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [...forbidden.map((dir) => ({ group: [`**/${dir}/*`, `**/${dir}`], message })), ...extra] },
    ],
  },
});

// The engine's boundary: outside src/engine (and test/engine, test/bench, which test and measure
// its parts) the engine is imported from src/engine/index.js only, never from one of its files.
const engineBoundary = (prefix) => ({
  group: [`**/${prefix}engine/*`, `!**/${prefix}engine/index.js`],
  message: 'import the engine from src/engine/index.js, its boundary (architecture.md); export what you need there',
});

// wire, topology and the engine are pure: no file system, sockets or processes (src/files reads files).
const noIo = [{ group: ['node:*', 'fs', 'fs/*', 'net', 'dgram', 'child_process'], message: 'wire, topology and engine do no I/O; reading files is src/files (architecture.md)' }];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'test-artifacts/', '.test-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Type-aware rules (they need the TypeScript program: projectService finds each file's tsconfig,
  // web/tsconfig.json for web/src). Only on TypeScript files; the few .js/.mjs scripts are not in a project.
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['web/vite.config.ts'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  layer(['src/wire/**'], ['topology', 'engine', 'files', 'capture', 'server', 'cli', 'web'], 'src/wire imports nothing of ours (architecture.md)', noIo),
  layer(['src/topology/**'], ['engine', 'files', 'capture', 'server', 'cli', 'web'], 'src/topology may import only src/wire (architecture.md)', noIo),
  layer(['src/engine/**'], ['files', 'capture', 'server', 'cli', 'web'], 'src/engine may import only wire and topology (architecture.md)', noIo),
  layer(['src/files/**'], ['engine', 'capture', 'server', 'cli', 'web', 'attach'], 'src/files may import only wire and topology (architecture.md)'),
  layer(['src/capture/**'], ['server', 'cli', 'web'], 'src/capture may not import server, cli or web (architecture.md)', [engineBoundary('')]),
  layer(['src/server/**'], ['cli', 'web'], 'src/server may not import cli or web (architecture.md)', [engineBoundary('')]),
  layer(['src/cli/**', 'src/cli.ts'], ['web'], 'src/cli may not import web (architecture.md)', [engineBoundary('')]),
  layer(['src/attach/**'], ['capture', 'server', 'cli', 'web'], 'src/attach (real transports above the engine) may import only wire, topology and engine (architecture.md)', [engineBoundary('')]),
  { ...layer(['test/**'], [], '', [engineBoundary('src/')]), ignores: ['test/engine/**', 'test/bench/**'] },
  layer(['web/**'], ['capture', 'topology', 'cli'], 'web/ talks to the server only; it may share API types from src/server and import src/wire, pure and bundle-safe (architecture.md)', [
    {
      group: ['**/engine/*', '!**/engine/rules.js', '!**/engine/copy-tree.js'],
      message: 'web/ may import only the rule table and the copy tree of the engine (src/engine/rules.ts, copy-tree.ts: pure, no imports; architecture.md)',
    },
  ]),
);
