// The lint rule that encodes the layer table (eslint.config.js, DESIGN.md "Layers"): an
// import against the table fails `npm run lint`, and what the table allows passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../../', import.meta.url).pathname });

/** The messages of the layer rule for `code` as if it were the file at `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return result.messages
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

test('layer rule: each folder imports only what the table allows', async () => {
  const refused: [string, string][] = [
    ['src/lib/x.ts', `import { a } from '../smpp/index.js';`],
    ['src/smpp/codec/x.ts', `import { a } from '../../domain/index.js';`],
    ['src/smpp/session/x.ts', `import { connect } from 'node:net';`],
    ['src/simulator/x.ts', `import { a } from '../gateway/index.js';`],
    ['src/mm7/x.ts', `import { a } from '../domain/index.js';`],
    ['src/mm7/x.ts', `import { a } from '../smpp/index.js';`],
    ['src/gateway/x.ts', `import { a } from '../mm7/index.js';`],
    ['src/domain/x.ts', `import { a } from '../store/index.js';`],
    ['src/store/x.ts', `import { a } from '../gateway/index.js';`],
    ['src/gateway/x.ts', `import { a } from '../connectors/index.js';`],
    ['src/gateway/x.ts', `import { a } from '../smpp/codec/reader.js';`],
    ['src/engine/x.ts', `import { a } from '../http/index.js';`],
    ['src/connectors/x.ts', `import { a } from '../config/index.js';`],
    ['src/http/rest/x.ts', `import { a } from '../../store/index.js';`],
    ['src/http/x.ts', `import { a } from '../smpp/index.js';`],
    ['src/smpp-server/x.ts', `import { a } from '../http/index.js';`],
    ['src/config/x.ts', `import { HttpConnector } from '../connectors/index.js';`],
    ['src/observability/x.ts', `import { a } from '../gateway/index.js';`],
    ['src/cli/x.ts', `import { a } from '../gateway/index.js';`],
  ];
  for (const [path, code] of refused)
    assert.equal((await layerErrors(path, code)).length, 1, `${path}: ${code} should be refused`);

  const allowed: [string, string][] = [
    ['src/smpp/transport/x.ts', `import { connect } from 'node:net';`],
    ['src/simulator/x.ts', `import { a } from '../smpp/index.js';`],
    ['src/mm7/x.ts', `import { HermodError } from '../lib/errors.js';`],
    ['src/gateway/x.ts', `import { a } from '../store/index.js';`],
    ['src/connectors/x.ts', `import { a } from '../simulator/index.js';`],
    ['src/http/x.ts', `import { a } from '../engine/index.js';`],
    ['src/config/x.ts', `import type { HttpConnectorOptions } from '../connectors/index.js';`],
    ['src/cli/x.ts', `import { a } from '../compose/index.js';`],
    ['src/compose/x.ts', `import { a } from '../http/api-app.js';`],
  ];
  for (const [path, code] of allowed)
    assert.deepEqual(await layerErrors(path, code), [], `${path}: ${code} should pass`);
});
