#!/usr/bin/env node
// The `hermod` command. A clone runs its TypeScript sources through tsx (a dev dependency),
// so `npm ci` is all it needs and a dist/ left over from `npm pack` is never run stale; an
// installed package ships dist/ and no src/, and runs its build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dist = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let tsx;
if (existsSync(src)) {
  try {
    tsx = await import('tsx/esm/api');
  } catch (err) {
    // A clone installed without dev dependencies: its build, if there is one.
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !existsSync(dist)) throw err;
  }
}
if (tsx) {
  tsx.register();
  await import('../src/main.ts');
} else {
  await import(dist);
}
