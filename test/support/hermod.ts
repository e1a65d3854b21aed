/** Starts Hermod in-process on its demo configuration with a private data directory and a free port. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod, type RunningHermod, type StartOptions } from '../../src/compose/index.js';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { receiptFromPdu, type Pdu, type Receipt, type SmppClient } from '../../src/smpp/index.js';

// Warnings and errors only: tests read their own receivers, not the logs.
const quiet = pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'warn' });

export async function demoHermod(
  dataDir = mkdtempSync(join(tmpdir(), 'hermod-test-')),
  options: Pick<StartOptions, 'sampleData'> = {},
): Promise<RunningHermod & { dataDir: string }> {
  const config = loadConfig(
    { HERMOD_DATA_DIR: dataDir, HERMOD_SMPP_PORT: '0', HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0' },
    dataDir,
  );
  return Object.assign(await startHermod(config, { logger: quiet, ...options }), { dataDir });
}

/** Hermod with a configuration document (YAML as an object). */
export async function configuredHermod(
  doc: unknown,
  options: StartOptions = {},
): Promise<RunningHermod & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-test-'));
  const config = parseConfig(
    doc,
    {
      HERMOD_DATA_DIR: dataDir,
      HERMOD_SMPP_PORT: '0',
      HERMOD_HTTP_PORT: '0',
      HERMOD_API_PORT: '0',
      HERMOD_BIND: '127.0.0.1',
    },
    'test',
  );
  return Object.assign(await startHermod(config, { logger: quiet, ...options }), { dataDir });
}

/** The receipts a customer's bind receives, in arrival order; each deliver_sm is answered. */
export function collectReceipts(c: SmppClient): Receipt[] {
  const receipts: Receipt[] = [];
  c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
    const r = receiptFromPdu(pdu as never);
    if (r) receipts.push(r);
    respond();
  });
  return receipts;
}
