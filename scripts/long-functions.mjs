#!/usr/bin/env node
// Lists the functions of src/ longer than a limit (default 120 lines), longest first, and
// exits 1 when there is one: issue 12's "no source function over 120 lines", measured.
// Usage: node scripts/long-functions.mjs [limit] [path-substring ...]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const [limitArg, ...filters] = process.argv.slice(2);
const limit = Number(limitArg ?? 120);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const long = [];
for (const file of walk('src').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))) {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const from = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const to = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = to - from + 1;
      const name = node.name?.getText(src) ?? node.parent?.name?.getText?.(src) ?? '(anonymous)';
      if (lines > limit) long.push({ lines, where: `${file}:${from + 1}`, name });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}
long.sort((a, b) => b.lines - a.lines);
for (const f of long) console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
process.exit(long.length > 0 ? 1 : 0);
