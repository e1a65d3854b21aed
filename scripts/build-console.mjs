#!/usr/bin/env node
// Builds the web console (web/ → web/dist) with Vite, so that `npm ci && npm start` serves it
// with no second command: `prepare` runs this after every install, `prestart` with
// --if-stale (only when a source is newer than the last build). Prints the size of the
// JavaScript the first page loads, gzipped (the console's budget is 300 KB).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'web');
const dist = join(web, 'dist');
const stamp = join(dist, 'index.html');

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name === 'node_modules') continue;
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

if (!existsSync(join(web, 'package.json'))) process.exit(0); // an installed package: prebuilt
if (process.argv.includes('--if-stale') && existsSync(stamp) && statSync(stamp).mtimeMs >= newest(web))
  process.exit(0);

const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  console.warn('console: vite is not installed (npm ci --omit=dev?): the web console is not built');
  process.exit(0);
}
const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(
  `console: built web/dist (first load ${(firstLoadBytes() / 1024).toFixed(1)} KB of JavaScript, gzipped)`,
);

/** The gzipped size of the scripts index.html loads (entry and its preloaded chunks). */
export function firstLoadBytes() {
  const html = readFileSync(stamp, 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  return scripts.reduce((n, s) => n + gzipSync(readFileSync(join(dist, s))).length, 0);
}
