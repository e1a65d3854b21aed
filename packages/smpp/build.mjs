#!/usr/bin/env node
// `npm run build` (and `prepack`) of @hermod/smpp: compiles the library where it lives in the
// repository (src/smpp, src/simulator, and the files of src/lib they import) into dist/, with
// type declarations. dist/ is emptied first so nothing removed from src/ lingers in the package.
import { rmSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
rmSync(new URL('dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: here });
if (r.status !== 0) process.exit(r.status ?? 1);

// The library may only compile what it is allowed to import (the layer rule): smpp, simulator, lib.
const top = readdirSync(new URL('dist', import.meta.url)).filter((d) =>
  statSync(new URL(`dist/${d}`, import.meta.url)).isDirectory(),
);
const stray = top.filter((d) => !['smpp', 'simulator', 'lib'].includes(d));
if (stray.length > 0) {
  console.error(
    `@hermod/smpp: dist/ holds ${stray.join(', ')}: the library imports outside smpp/, simulator/, lib/`,
  );
  process.exit(1);
}
