/**
 * `hermod simulate --provider telnyx|twilio`: the provider-API simulator standalone
 * (docs/simulator.md). Its options are added to `simulate` here; the SMSC simulator's are
 * ignored in this mode.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { say } from './io.js';
import type {
  ProviderOutcome,
  ProviderScript,
  ProviderSimulatorOptions,
} from '../simulator/provider-simulator.js';

const OUTCOMES: readonly ProviderOutcome[] = ['delivered', 'undelivered', 'failed', 'unconfirmed'];

/** "1555666:undelivered", "1555429:429", "1555:delivered:2000" (a delay in ms). */
export function providerScript(v: string): ProviderScript {
  const [prefix, what, delay] = v.split(':');
  if (!/^\+?\d+$/.test(prefix ?? '')) throw new InvalidArgumentError(`"${prefix}" is not a digit prefix`);
  const rule: ProviderScript = { prefix };
  if (what === undefined)
    throw new InvalidArgumentError(`"${v}": give an outcome (${OUTCOMES.join(', ')}) or an HTTP status`);
  if ((OUTCOMES as readonly string[]).includes(what)) rule.outcome = what as ProviderOutcome;
  else if (/^[45]\d\d$/.test(what)) rule.status = Number(what);
  else
    throw new InvalidArgumentError(
      `"${what}" is neither an outcome (${OUTCOMES.join(', ')}) nor an HTTP status 400-599`,
    );
  if (delay !== undefined) {
    if (!/^\d+$/.test(delay)) throw new InvalidArgumentError(`"${delay}" is not a delay in ms`);
    rule.delayMs = Number(delay);
  }
  return rule;
}

const collect =
  <T>(parse: (v: string) => T) =>
  (v: string, prev: T[] = []): T[] => [...prev, parse(v)];

/** The provider simulator's options, on `simulate`. */
export function addProviderOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--provider <name>',
        'run the provider-API simulator (Telnyx or Twilio) instead of the SMSC',
      ).choices(['telnyx', 'twilio']),
    )
    .option('--api-key <key>', '(--provider telnyx) the API key required as Bearer; default: any')
    .option(
      '--private-key <file>',
      '(--provider telnyx) Ed25519 private key (PKCS#8 PEM) that signs webhooks; default: a new pair',
    )
    .option(
      '--account-sid <sid>',
      '(--provider twilio) the account SID',
      'AC00000000000000000000000000000000',
    )
    .option('--auth-token <token>', '(--provider twilio) the auth token: basic auth and webhook signatures')
    .option(
      '--script <prefix:outcome|status[:delayMs]>',
      `(--provider) recipients starting with prefix get that outcome (${OUTCOMES.join(', ')}) or HTTP status; repeatable`,
      collect(providerScript),
    )
    .option('--webhook-url <url>', '(--provider) where status webhooks go when a message names none')
    .option('--inbound-url <url>', '(--provider) send inbound messages here (the connector webhook URL)')
    .option('--inbound-every <s>', '(--provider) send one inbound message every <s> seconds', Number)
    .option('--inbound-from <number>', '(--provider) inbound sender', '+15557654321')
    .option('--inbound-to <number>', '(--provider) inbound recipient', '+15550001000')
    .option('--inbound-text <text>', '(--provider) inbound text', 'Hello from the provider simulator')
    .option(
      '--inbound-media <file:type>',
      '(--provider) attach this file (e.g. cat.jpg:image/jpeg); repeatable',
      collect(mediaArg),
    );
}

function mediaArg(v: string): { file: string; contentType: string } {
  const i = v.lastIndexOf(':');
  if (i <= 0 || !v.slice(i + 1).includes('/'))
    throw new InvalidArgumentError(`"${v}": expected <file>:<content type>, e.g. cat.jpg:image/jpeg`);
  return { file: v.slice(0, i), contentType: v.slice(i + 1) };
}

export interface ProviderCliOptions {
  provider: 'telnyx' | 'twilio';
  host: string;
  port: number;
  apiKey?: string;
  privateKey?: string;
  accountSid: string;
  authToken?: string;
  script?: ProviderScript[];
  /** `simulate`'s --report-delay (shared with --mmsc). */
  reportDelay?: number;
  webhookUrl?: string;
  inboundUrl?: string;
  inboundEvery?: number;
  inboundFrom: string;
  inboundTo: string;
  inboundText: string;
  inboundMedia?: { file: string; contentType: string }[];
  statsInterval: number;
}

export async function runProviderSimulator(o: ProviderCliOptions, command: Command): Promise<void> {
  if (o.provider === 'twilio' && !o.authToken) command.error('error: --provider twilio needs --auth-token');
  if (o.inboundEvery !== undefined && !o.inboundUrl)
    command.error('error: --inbound-every needs --inbound-url');
  const opts: ProviderSimulatorOptions = {
    provider: o.provider,
    host: o.host,
    // The SMSC's default port (2775) is not a provider's: 8790 unless --port was given.
    port: command.getOptionValueSource('port') === 'default' ? 8790 : o.port,
    ...(o.apiKey ? { apiKey: o.apiKey } : {}),
    ...(o.privateKey ? { privateKey: createPrivateKey(readFileSync(o.privateKey)) } : {}),
    accountSid: o.accountSid,
    ...(o.authToken ? { authToken: o.authToken } : {}),
    scripts: o.script ?? [],
    reportDelayMs: o.reportDelay ?? 0,
    ...(o.webhookUrl ? { webhookUrl: o.webhookUrl } : {}),
  };
  const { ProviderSimulator } = await import('../simulator/provider-simulator.js');
  const sim = await ProviderSimulator.start(opts);
  say(`Hermod ${o.provider} provider simulator listening on ${sim.url}`);
  if (o.provider === 'telnyx') {
    say(`  POST ${sim.url}/v2/messages with Authorization: Bearer ${o.apiKey ? '<--api-key>' : '<any key>'}`);
    say(`  webhook public key (the connector's publicKey): ${sim.publicKey}`);
  } else {
    say(
      `  POST ${sim.url}/2010-04-01/Accounts/${o.accountSid}/Messages.json with basic auth ${o.accountSid}:<--auth-token>`,
    );
  }
  say(`  connector: type ${o.provider}, baseUrl ${sim.url}`);
  const media = (o.inboundMedia ?? []).map((m) => ({
    bytes: readFileSync(m.file),
    contentType: m.contentType,
    filename: m.file.split('/').pop()!,
  }));
  const inbound =
    o.inboundEvery && o.inboundUrl
      ? setInterval(() => {
          void sim
            .inject(o.inboundUrl!, { from: o.inboundFrom, to: o.inboundTo, text: o.inboundText, media })
            .then((w) => say(`[${new Date().toISOString()}] inbound → ${w.status}`));
        }, o.inboundEvery * 1000)
      : undefined;
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
    if (inbound) clearInterval(inbound);
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
