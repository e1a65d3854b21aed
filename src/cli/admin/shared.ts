/** Helpers the admin command groups share: flag parsers, query strings, definition files. */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { CliError } from '../admin-client.js';

export type Obj = Record<string, unknown>;

export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

export const qs = (o: Record<string, string | number | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

/** A YAML or JSON file (YAML reads JSON too). */
export function readDefinition(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
  }
  try {
    return parseYaml(text) as unknown;
  } catch (err) {
    throw new CliError(`${file}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`, 2);
  }
}
