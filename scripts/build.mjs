#!/usr/bin/env node
// `npm run build` (and `prepack`): the gateway's dist/ from src/ with type declarations,
// emptied first so a module moved or removed in src/ leaves nothing behind in the package.
//
// The SMPP library (src/smpp, src/simulator and the src/lib files they import) is its own
// package, @hermod/smpp (packages/smpp), which the gateway depends on. In a clone the gateway
// imports those sources directly (no build needed); its built dist/ imports the package: the
// library's folders in dist/ are replaced by one-line modules re-exporting @hermod/smpp, so an
// installed gateway runs the same copy of the library (and of HermodError) its users import.
// The workspace package is built first, as the gateway's dist/ needs it at run time.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('../', import.meta.url);
const run = (args, cwd) => {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run(['build.mjs'], new URL('packages/smpp/', root));

rmSync(new URL('dist', root), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
run([tsc, '-p', 'tsconfig.build.json'], root);

/** dist/<dir> becomes `export * from '<specifier>'` (code and declarations). */
function reexport(dir, file, specifier) {
  rmSync(new URL(`dist/${dir}`, root), { recursive: true, force: true });
  mkdirSync(new URL(`dist/${dir}`, root), { recursive: true });
  const line = `// The library lives in ${specifier.split('/').slice(0, 2).join('/')} (packages/smpp in the repository).\nexport * from '${specifier}';\n`;
  writeFileSync(new URL(`dist/${dir}/${file}.js`, root), line);
  writeFileSync(new URL(`dist/${dir}/${file}.d.ts`, root), line);
}
reexport('smpp', 'index', '@hermod/smpp');
reexport('simulator', 'index', '@hermod/smpp/simulator');
// lib/errors: one HermodError class, so `instanceof HermodError` holds for the library's errors.
rmSync(new URL('dist/lib/errors.js.map', root), { force: true });
writeFileSync(
  new URL('dist/lib/errors.js', root),
  "// HermodError is the library's (@hermod/smpp), so its errors are HermodErrors here too.\nexport * from '@hermod/smpp/errors';\n",
);
writeFileSync(new URL('dist/lib/errors.d.ts', root), "export * from '@hermod/smpp/errors';\n");
