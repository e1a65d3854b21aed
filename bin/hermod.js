#!/usr/bin/env node
// The `hermod` command. Runs the compiled build when present, else the TypeScript
// sources through tsx (so a fresh `npm ci` works without a build step).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (existsSync(dist)) {
  await import(dist);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
