// Lint: typescript-eslint recommended rules plus the layer rule of DESIGN.md ("Layers";
// docs/architecture.md says where we read it differently). Formatting is prettier's job.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * The layer table: each folder of src/ and the folders it may import (itself always).
 * `types` lists folders it may import types from only (`import type`), nothing at run time.
 * A folder of src/ missing here fails the lint: a new layer takes its row first.
 */
const layers = {
  lib: { may: [] },
  smpp: { may: ['lib'] },
  // MM7 (3GPP TS 23.140) as a standalone library, like smpp/ (docs/architecture.md).
  mm7: { may: ['lib'] },
  simulator: { may: ['smpp', 'lib'] },
  domain: { may: ['smpp', 'lib'] },
  store: { may: ['domain', 'lib'] },
  gateway: { may: ['domain', 'store', 'smpp', 'lib'] },
  engine: { may: ['gateway', 'domain', 'store', 'lib'] },
  // The simulator connector (connectors/simulator-connector.ts) wraps simulator/; the MM7 connector mm7/.
  connectors: { may: ['gateway', 'smpp', 'simulator', 'mm7', 'domain', 'lib'] },
  http: { may: ['gateway', 'engine', 'domain', 'lib'] },
  'smpp-server': { may: ['gateway', 'smpp', 'domain', 'lib'] },
  // A connector definition is the connector's options in the file's units (config/schema.ts).
  config: { may: ['domain', 'lib'], types: ['connectors'] },
  observability: { may: ['domain', 'lib'] },
  // argv → the admin API, the composition root, or a public library surface (smpp, simulator).
  cli: { may: ['compose', 'config', 'smpp', 'simulator', 'mm7', 'lib'] },
  compose: { may: 'everything' },
};
const folders = Object.keys(layers);

const missing = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !(d.name in layers))
  .map((d) => d.name);
if (missing.length > 0)
  throw new Error(`eslint.config.js: src/${missing.join(', src/')} has no row in the layer table`);

/** Files another branch is fixing right now: each may still import these folders. */
const temporary = [];

const SOCKETS = ['node:net', 'node:tls', 'net', 'tls'].map((name) => ({
  name,
  message: 'Only src/smpp/transport may open sockets (DESIGN.md, "Layers": smpp/transport).',
}));

/** The no-restricted-imports options of a file in `layer` that may also import `also`. */
function restrictions(layer, { also = [], paths = [] } = {}) {
  const { may, types = [] } = layers[layer];
  const banned = folders.filter((f) => f !== layer && !may.includes(f) && !also.includes(f));
  const patterns = banned.map((b) => ({
    group: [`**/${b}/*`, `**/${b}`],
    message: `src/${layer} may not import src/${b} (the layer table: DESIGN.md, "Layers").`,
    ...(types.includes(b) ? { allowTypeImports: true } : {}),
  }));
  // Outside smpp/, the protocol library is used through its curated surface only.
  if (layer !== 'smpp' && (may.includes('smpp') || also.includes('smpp')))
    patterns.push({
      group: ['**/smpp/*/**', '!**/smpp/index.js'],
      message: `src/${layer} imports src/smpp through its public surface, smpp/index.js.`,
    });
  return ['error', { paths, patterns }];
}

const layerRules = folders
  .filter((layer) => layers[layer].may !== 'everything')
  .map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: temporary.filter((t) => t.files[0].startsWith(`src/${layer}/`)).flatMap((t) => t.files),
    rules: {
      '@typescript-eslint/no-restricted-imports': restrictions(
        layer,
        layer === 'smpp' ? { paths: SOCKETS } : {},
      ),
    },
  }));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'packages/*/dist/**',
      'node_modules/**',
      'tmp/**',
      'web/dist/**',
      'data/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  ...layerRules,
  // smpp/transport: the one place of smpp/ that opens sockets.
  {
    files: ['src/smpp/transport/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrictions('smpp') },
  },
  ...temporary.map((t) => ({
    files: t.files,
    rules: { '@typescript-eslint/no-restricted-imports': restrictions('http', { also: t.also }) },
  })),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
