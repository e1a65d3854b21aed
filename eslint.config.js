// Lint: typescript-eslint recommended rules plus the layer rule of DESIGN.md
// (imports point down the table only). Formatting is prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Folders of src/ and the folders each may NOT import (DESIGN.md, "Layers"). */
const forbidden = {
  lib: [
    'smpp',
    'simulator',
    'domain',
    'store',
    'gateway',
    'connectors',
    'http',
    'smpp-server',
    'config',
    'observability',
    'cli',
  ],
  smpp: [
    'simulator',
    'domain',
    'store',
    'gateway',
    'connectors',
    'http',
    'smpp-server',
    'config',
    'observability',
    'cli',
  ],
  simulator: [
    'domain',
    'store',
    'gateway',
    'connectors',
    'http',
    'smpp-server',
    'config',
    'observability',
    'cli',
  ],
  domain: [
    'simulator',
    'store',
    'gateway',
    'connectors',
    'http',
    'smpp-server',
    'config',
    'observability',
    'cli',
  ],
  store: ['simulator', 'gateway', 'connectors', 'http', 'smpp-server', 'config', 'cli'],
  gateway: ['simulator', 'connectors', 'http', 'smpp-server', 'cli'],
};

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: banned.map((b) => ({
          group: [`**/${b}/*`, `**/${b}`],
          message: `src/${layer} may not import src/${b} (DESIGN.md layer table).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'web/dist/**', 'data/**', 'coverage/**'] },
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
  {
    files: ['src/smpp/**/*.ts'],
    ignores: ['src/smpp/transport/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:net', 'node:tls', 'net', 'tls'].map((name) => ({
            name,
            message: 'Only src/smpp/transport may open sockets.',
          })),
          patterns: [
            {
              group: [
                '**/simulator/*',
                '**/domain/*',
                '**/store/*',
                '**/gateway/*',
                '**/connectors/*',
                '**/http/*',
                '**/smpp-server/*',
                '**/config/*',
                '**/observability/*',
                '**/cli/*',
              ],
              message: 'src/smpp imports only Node built-ins and src/lib.',
            },
          ],
        },
      ],
    },
  },
  ...layerRules.filter((r) => !r.files[0].startsWith('src/smpp/')),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
