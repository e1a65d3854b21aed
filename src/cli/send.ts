/**
 * `hermod send`: submits one SMS over SMPP to a running Hermod (or any SMSC) and waits for
 * its receipt; with `--csv`, a bulk send of every row of a file (see bulk.ts).
 */
import { say, setExitCode } from './io.js';
import { Command, InvalidArgumentError } from 'commander';
import type { Pdu, Receipt } from '../smpp/index.js';

export function sendCommand(): Command {
  return new Command('send')
    .description(
      'send one SMS over SMPP and wait for its delivery receipt, or every row of a CSV file (--csv)',
    )
    .option('--to <number>', 'destination number, e.g. 447700900123')
    .option('--text <text>', 'message text (GSM-7 or UCS-2 chosen automatically; long texts are split)')
    .option(
      '--csv <file>',
      'bulk send: a CSV file with columns to,text[,from] (header line optional); prints progress and a summary',
    )
    .option(
      '--window <n>',
      'bulk send: submits in flight at once',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 1000)
          throw new InvalidArgumentError('must be an integer 1..1000');
        return n;
      },
      10,
    )
    .option('--from <sender>', 'sender id', 'Hermod')
    .option('--host <host>', 'SMPP host', '127.0.0.1')
    .option(
      '--port <port>',
      'SMPP port',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 65535)
          throw new InvalidArgumentError('must be a port number');
        return n;
      },
      2775,
    )
    .option('--user <system_id>', 'system_id', 'demo')
    .option('--password <password>', 'password', 'demo')
    .option('--no-wait', 'do not wait for the delivery receipt')
    .option('--timeout <s>', 'seconds to wait for the receipt', Number, 30)
    .option('--json', 'print the result as JSON')
    .action(async (o, cmd: Command) => {
      if (o.csv)
        return (await import('./bulk.js')).bulkSend({
          csv: o.csv,
          from: o.from,
          host: o.host,
          port: o.port,
          user: o.user,
          password: o.password,
          window: o.window,
          json: o.json,
        });
      if (!o.to || !o.text) cmd.error('error: give --to and --text (or --csv <file>)');
      const { SmppClient, chooseEncoding, receiptFromPdu, splitMessage } = await import('../smpp/index.js');
      const client = new SmppClient({
        host: o.host,
        port: o.port,
        systemId: o.user,
        password: o.password,
        reconnect: false,
        bindType: 'transceiver',
      });
      const receipts: Receipt[] = [];
      let onReceipt = () => {};
      client.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
        const r = receiptFromPdu(pdu as never);
        if (r) receipts.push(r);
        respond();
        onReceipt();
      });
      await client.connect();
      const split = splitMessage(o.text, {
        method: 'udh8',
        reference: Math.floor(Math.random() * 256),
        encoding: chooseEncoding(o.text),
      });
      const ids: string[] = [];
      for (const part of split.parts) {
        const resp = await client.submitSm({
          sourceAddr: o.from,
          sourceAddrTon: /[^0-9+]/.test(o.from) ? 5 : 1,
          destinationAddr: o.to,
          destAddrTon: 1,
          destAddrNpi: 1,
          esmClass: split.esmClass,
          dataCoding: split.dataCoding,
          registeredDelivery: o.wait ? 1 : 0,
          shortMessage: part.shortMessage,
        });
        ids.push(resp.messageId);
      }
      if (!o.json)
        say(
          `accepted: ${ids.join(', ')} (${split.parts.length} part${split.parts.length > 1 ? 's' : ''}, ${split.encoding})`,
        );
      if (o.wait) {
        const deadline = Date.now() + o.timeout * 1000;
        while (ids.some((id) => !receipts.some((r) => r.id === id)) && Date.now() < deadline) {
          await new Promise<void>((r) => {
            onReceipt = r;
            setTimeout(r, 200);
          });
        }
      }
      const states = ids.map((id) => ({
        id,
        state: receipts.find((r) => r.id === id)?.state ?? (o.wait ? 'no receipt yet' : 'accepted'),
      }));
      if (o.json) say(JSON.stringify({ ids, encoding: split.encoding, parts: split.parts.length, states }));
      else if (o.wait) for (const s of states) say(`${s.id}: ${s.state}`);
      await client.close();
      if (o.wait && states.some((s) => s.state === 'no receipt yet')) setExitCode(3);
    });
}
