/** `hermod simulate`: runs the SMSC simulator standalone, or with `--mmsc` the MMSC (MM7) simulator. */
import { say } from './io.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { Outcome, ScriptRule, SimulatorOptions } from '../simulator/index.js';
import { MMSC_PORT, mm7ScriptRule, runMmsc } from './simulate-mmsc.js';
import { addProviderOptions, runProviderSimulator } from './simulate-provider.js';

function int(name: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
}

function ratio(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a number between 0 and 1');
  return n;
}

function status(v: string): number {
  const n = v.startsWith('0x') ? parseInt(v, 16) : Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`"${v}" is not a command_status (decimal or 0x hex)`);
  return n;
}

function collect<T>(parse: (v: string) => T) {
  return (v: string, prev: T[] = []): T[] => [...prev, parse(v)];
}

/** "4477" (fail with ESME_RINVDSTADR), "4477:0x45" (that status), "4477:undelivered" (accept, bad receipt). */
function scriptRule(v: string): ScriptRule {
  const [prefix, what] = v.split(':');
  if (!/^\d+$/.test(prefix)) throw new InvalidArgumentError(`"${prefix}" is not a digit prefix`);
  if (what === undefined) return { prefix, status: 0x0b };
  if (['delivered', 'undelivered', 'expired', 'rejected'].includes(what))
    return { prefix, outcome: what as Outcome };
  return { prefix, status: status(what) };
}

function errorRule(v: string): { status: number; rate: number } {
  const [rate, st] = v.split(':');
  return { rate: ratio(rate), status: st ? status(st) : 0x08 };
}

function latency(v: string): { min: number; max: number } {
  const m = v.match(/^(\d+)(?:-(\d+))?$/);
  if (!m) throw new InvalidArgumentError('expected <ms> or <min>-<max>');
  const min = Number(m[1]);
  const max = m[2] ? Number(m[2]) : min;
  if (max < min) throw new InvalidArgumentError('max must be ≥ min');
  return { min, max };
}

export function simulateCommand(): Command {
  return addProviderOptions(new Command('simulate'))
    .description(
      'run the built-in SMSC simulator: point any SMPP client (ESME) at it; with --mmsc, the MMSC simulator: point an MM7 connector (VASP) at it',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '-p, --port <port>',
      `SMPP port (MM7 port with --mmsc, default ${MMSC_PORT})`,
      int('port', 0),
      2775,
    )
    .option('--system-id <id>', 'accept only this system_id (with --password); default: any credentials')
    .option('--password <password>', 'password for --system-id')
    .option('--tls-cert <file>', 'serve SMPP over TLS with this certificate (PEM)')
    .option('--tls-key <file>', 'private key for --tls-cert (PEM)')
    .option('--delivered <weight>', 'weight of DELIVRD receipts', Number, 1)
    .option('--undelivered <weight>', 'weight of UNDELIV receipts', Number, 0)
    .option('--expired <weight>', 'weight of EXPIRED receipts', Number, 0)
    .option('--rejected <weight>', 'weight of REJECTD receipts', Number, 0)
    .option('--latency <ms>', 'receipt delay: <ms> or <min>-<max> (default: 0)', latency)
    .option('--throttle <n>', 'answer ESME_RTHROTTLED above <n> submits/s per bind', int('throttle', 1))
    .option(
      '--error-rate <rate[:status]>',
      'answer submits with status (default 0x08 ESME_RSYSERR) at this rate; repeatable',
      collect(errorRule),
    )
    .option(
      '--fail-prefix <prefix[:status|:outcome]>',
      'destinations starting with prefix fail (default ESME_RINVDSTADR) or get that receipt outcome; repeatable',
      collect(scriptRule),
    )
    .option('--drop-after <n>', 'close the TCP connection after <n> PDUs on a bind', int('drop-after', 1))
    .option('--drop-rate <p>', 'close the connection at random with probability p per PDU', ratio)
    .option('--refuse-binds', 'refuse every bind (ESME_RBINDFAIL)')
    .option('--hang', 'accept binds, then answer nothing (not even enquire_link)')
    .addOption(
      new Option('--id-format <format>', 'message id format').choices(['hex', 'dec', 'uuid']).default('hex'),
    )
    .addOption(
      new Option('--receipt-id-format <format>', 'render receipt ids differently')
        .choices(['same', 'hex', 'dec'])
        .default('same'),
    )
    .option('--mo-rate <n>', 'send <n> MO messages per second to every receiving bind', Number)
    .option('--mo-from <msisdn>', 'MO sender', '447700900001')
    .option('--mo-to <addr>', 'MO destination', '12345')
    .option('--mo-text <text>', 'MO text', 'Hello from the Hermod simulator')
    .option('--seed <n>', 'seed for the outcome and fault dice', int('seed'))
    .option(
      '--stats-interval <s>',
      'print a stats line every <s> seconds (0 = never)',
      int('stats-interval'),
      5,
    )
    .option('--mmsc', 'run the MMSC (MM7) simulator instead of the SMSC')
    .option(
      '--vasp-user <name>',
      '--mmsc: accept submits only with this basic-auth user (with --vasp-password)',
    )
    .option('--vasp-password <password>', '--mmsc: password for --vasp-user')
    .option(
      '--vasp-url <url>',
      "--mmsc: the VASP's MM7 URL, where delivery reports go (Hermod: http://HOST:8080/v1/hooks/connectors/ID/mm7)",
    )
    .option(
      '--report-user <name>',
      "--mmsc: basic-auth user of the reports to the VASP (the connector's inbound.username)",
    )
    .option('--report-password <password>', '--mmsc: password for --report-user')
    .option(
      '--report-delay <ms>',
      '--mmsc, --provider: wait this long before each delivery report (status webhook)',
      int('report-delay'),
    )
    .option(
      '--mm7-script <prefix:what>',
      '--mmsc: recipients starting with prefix get a status (2002), a report MMStatus (Expired), a Fault (fault) or a late answer (delay=5000); repeatable',
      collect(mm7ScriptRule),
    )
    .option(
      '--deliver-every <s>',
      '--mmsc: send an inbound MMS (a picture and --mo-text, --mo-from to --mo-to) to --vasp-url every <s> seconds',
      int('deliver-every', 1),
    )
    .action(async (o, cmd: Command) => {
      if (o.provider) return runProviderSimulator(o, cmd);
      if (o.mmsc) {
        await runMmsc({
          ...o,
          port: cmd.getOptionValueSource('port') === 'default' ? MMSC_PORT : o.port,
        });
        return;
      }
      if ((o.systemId && !o.password) || (!o.systemId && o.password)) {
        throw new InvalidArgumentError('--system-id and --password go together');
      }
      const opts: SimulatorOptions = {
        host: o.host,
        port: o.port,
        credentials: o.systemId ? [{ systemId: o.systemId, password: o.password }] : undefined,
        tls: o.tlsCert ? { cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) } : undefined,
        outcomes: {
          delivered: o.delivered,
          undelivered: o.undelivered,
          expired: o.expired,
          rejected: o.rejected,
        },
        latencyMs: o.latency ?? { min: 0, max: 0 },
        throttle: o.throttle,
        errors: o.errorRate,
        scripts: o.failPrefix,
        dropAfterPdus: o.dropAfter,
        dropRate: o.dropRate,
        refuseBinds: o.refuseBinds,
        hang: o.hang,
        idFormat: o.idFormat,
        receiptIdFormat: o.receiptIdFormat,
        seed: o.seed,
      };
      const { SmscSimulator } = await import('../simulator/index.js');
      const sim = new SmscSimulator(opts);
      const port = await sim.listen();
      say(`Hermod SMSC simulator listening on ${o.host}:${port}${opts.tls ? ' (TLS)' : ''}`);
      say(
        opts.credentials
          ? `  bind with system_id "${o.systemId}" and its password`
          : '  bind with any system_id and password (transmitter, receiver or transceiver)',
      );
      const stops: (() => void)[] = [];
      if (o.moRate) {
        sim.on('bind', (systemId: string, type: string) => {
          if (type !== 'transmitter')
            stops.push(
              sim.startMoTraffic(systemId, {
                rate: o.moRate,
                senders: [o.moFrom],
                to: o.moTo,
                texts: [o.moText],
              }),
            );
        });
      }
      let last = '';
      const timer =
        o.statsInterval > 0
          ? setInterval(() => {
              const line = sim.statsLine();
              if (line !== last) say(`[${new Date().toISOString()}] ${line}`);
              last = line;
            }, o.statsInterval * 1000)
          : undefined;
      const stop = async (signal: string) => {
        say(`${signal}: shutting down (${sim.statsLine()})`);
        if (timer) clearInterval(timer);
        for (const s of stops) s();
        await sim.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
