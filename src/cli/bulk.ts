/**
 * `hermod send --csv file.csv`: a bulk send over SMPP (one bind, a window of submits in
 * flight), a progress bar on a TTY (progress lines otherwise) and a summary of what was
 * accepted and what was refused, with the reason per row.
 */
import { say, warn, cliIo, setExitCode } from './io.js';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import cliProgress from 'cli-progress';
import { SmppClient, chooseEncoding, splitMessage } from '../smpp/index.js';
import { CliError } from './admin-client.js';

export interface BulkOptions {
  csv: string;
  from: string;
  host: string;
  port: number;
  user: string;
  password: string;
  window: number;
  json?: boolean;
}

interface Row {
  row: number;
  to: string;
  text: string;
  from: string;
}

export interface Refusal {
  row: number;
  to: string;
  reason: string;
}

/** Rows of the file (columns to,text[,from]; an optional header row), and the refused ones. */
export function readCsv(file: string, defaultFrom: string): { rows: Row[]; refused: Refusal[] } {
  let records: string[][];
  try {
    records = parse(readFileSync(file, 'utf8'), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as string[][];
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`, 2);
  }
  const rows: Row[] = [];
  const refused: Refusal[] = [];
  records.forEach((r, i) => {
    const row = i + 1;
    if (i === 0 && r[0]?.toLowerCase() === 'to' && r[1]?.toLowerCase() === 'text') return; // header
    const [to = '', text = '', from = ''] = r;
    if (r.length > 3)
      refused.push({ row, to, reason: `expected 2 or 3 columns (to,text[,from]), got ${r.length}` });
    else if (!to) refused.push({ row, to, reason: 'no destination number' });
    else if (!text) refused.push({ row, to, reason: 'no text' });
    else rows.push({ row, to, text, from: from || defaultFrom });
  });
  return { rows, refused };
}

export async function bulkSend(o: BulkOptions): Promise<void> {
  const { rows, refused } = readCsv(o.csv, o.from);
  const total = rows.length + refused.length;
  const client = new SmppClient({
    host: o.host,
    port: o.port,
    systemId: o.user,
    password: o.password,
    reconnect: false,
    bindType: 'transmitter',
    windowSize: o.window,
  });
  try {
    await client.connect();
  } catch (err) {
    throw new CliError(`cannot bind to ${o.host}:${o.port} as ${o.user}: ${(err as Error).message}`);
  }
  let accepted = 0;
  let done = refused.length;
  const ids: { row: number; ids: string[] }[] = [];
  const tty = !o.json && cliIo().stderr.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: 'sending [{bar}] {percentage}% {value}/{total} accepted={accepted} refused={refused}',
          stream: cliIo().stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, done, { accepted, refused: refused.length });
  const progressLine = () =>
    warn(`progress: ${done}/${total} accepted=${accepted} refused=${refused.length}`);
  const ticker = !tty && !o.json ? setInterval(progressLine, 1000) : undefined;

  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++];
      try {
        const split = splitMessage(row.text, {
          method: 'udh8',
          reference: Math.floor(Math.random() * 256),
          encoding: chooseEncoding(row.text),
        });
        const partIds: string[] = [];
        for (const part of split.parts) {
          const resp = await client.submitSm({
            sourceAddr: row.from,
            sourceAddrTon: /[^0-9+]/.test(row.from) ? 5 : 1,
            destinationAddr: row.to.replace(/^\+/, ''),
            destAddrTon: 1,
            destAddrNpi: 1,
            esmClass: split.esmClass,
            dataCoding: split.dataCoding,
            shortMessage: part.shortMessage,
          });
          partIds.push(resp.messageId);
        }
        accepted++;
        ids.push({ row: row.row, ids: partIds });
      } catch (err) {
        refused.push({
          row: row.row,
          to: row.to,
          reason: (err as Error).message.replace(/^submit_sm refused: /, ''),
        });
      }
      done++;
      bar?.update(done, { accepted, refused: refused.length });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.window) }, worker));
  if (ticker) clearInterval(ticker);
  bar?.stop();
  await client.close();
  refused.sort((a, b) => a.row - b.row);
  ids.sort((a, b) => a.row - b.row);
  if (o.json) {
    say(JSON.stringify({ total, accepted, refused: refused.length, refusals: refused, messages: ids }));
  } else {
    if (!tty) progressLine();
    say(`${total} rows: ${accepted} accepted, ${refused.length} refused`);
    for (const r of refused) say(`  row ${r.row}${r.to ? ` (${r.to})` : ''}: ${r.reason}`);
  }
  if (refused.length > 0) setExitCode(4);
}
