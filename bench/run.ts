/**
 * `npm run bench -- <name>`: runs bench/<name>.ts, which prints progress and ends
 * with one JSON line {"bench","results","ratios"} (ratios: Hermod ÷ reference, higher is better).
 */
import { readdirSync } from 'node:fs';

const name = process.argv[2];
const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (one of: ${available.join(', ')})`);
  process.exit(2);
}
await import(`./${name}.ts`);
