/** `hermod simulate --mmsc`: runs the MMSC (MM7) simulator standalone (docs/simulator.md). */
import { InvalidArgumentError } from 'commander';
import { say } from './io.js';
// The status table alone (no XML or MIME): every hermod command loads this file.
import { isMmStatus } from '../mm7/status.js';
import type { MmscScriptRule, MmscSimulator, MmscStats } from '../mm7/index.js';

/** The MMSC's own options of `hermod simulate` (the port and host are shared with the SMSC's). */
export interface MmscCliOptions {
  host: string;
  port: number;
  vaspUser?: string;
  vaspPassword?: string;
  vaspUrl?: string;
  reportUser?: string;
  reportPassword?: string;
  reportDelay?: number;
  mm7Script?: MmscScriptRule[];
  /** Send an inbound MMS (DeliverReq: a picture and moText) to the VASP every this many seconds. */
  deliverEvery?: number;
  moFrom: string;
  moTo: string;
  moText: string;
  statsInterval: number;
}

/** The MMSC's default port when `--port` is not given. */
export const MMSC_PORT = 8700;

/**
 * "1555222:2002" (answer that status), "1555000:Expired" (accept; that MMStatus in the
 * report), "1555500:fault" (an RSErrorRsp Fault), "1555999:delay=5000" (answer late).
 */
export function mm7ScriptRule(v: string): MmscScriptRule {
  const [prefix, what] = v.split(':');
  if (!/^\d+$/.test(prefix ?? '')) throw new InvalidArgumentError(`"${prefix}" is not a digit prefix`);
  if (what === undefined || what === '')
    throw new InvalidArgumentError(
      `"${v}": say what happens after the prefix (a status, an MMStatus, fault or delay=ms)`,
    );
  if (what === 'fault') return { prefix, fault: true };
  const delay = /^delay=(\d+)$/.exec(what);
  if (delay) return { prefix, delayMs: Number(delay[1]) };
  if (/^\d{4}$/.test(what)) return { prefix, status: Number(what) };
  if (isMmStatus(what)) return { prefix, outcome: what };
  throw new InvalidArgumentError(
    `"${what}" is not an MM7 status (e.g. 2002), an MMStatus (Retrieved, Expired, Rejected, …), fault or delay=<ms>`,
  );
}

export function mmscStatsLine(s: MmscStats): string {
  return `submits=${s.submits} refused=${s.refused} reports=${s.reports} report_errors=${s.reportErrors} delivers=${s.delivers}`;
}

export async function runMmsc(o: MmscCliOptions): Promise<void> {
  if ((o.vaspUser === undefined) !== (o.vaspPassword === undefined))
    throw new InvalidArgumentError('--vasp-user and --vasp-password go together');
  if ((o.reportUser === undefined) !== (o.reportPassword === undefined))
    throw new InvalidArgumentError('--report-user and --report-password go together');
  if (o.deliverEvery !== undefined && o.vaspUrl === undefined)
    throw new InvalidArgumentError('--deliver-every needs --vasp-url (where the inbound MMS go)');
  if (o.vaspUrl !== undefined && !/^https?:\/\/[^/]/.test(o.vaspUrl))
    throw new InvalidArgumentError(`--vasp-url: expected an http:// or https:// URL, got "${o.vaspUrl}"`);
  const { MmscSimulator } = await import('../mm7/index.js');
  const sim = await MmscSimulator.start({
    host: o.host,
    port: o.port,
    ...(o.vaspUser !== undefined
      ? { credentials: [{ username: o.vaspUser, password: o.vaspPassword! }] }
      : {}),
    ...(o.vaspUrl !== undefined ? { vaspUrl: o.vaspUrl } : {}),
    ...(o.reportUser !== undefined
      ? { vaspCredentials: { username: o.reportUser, password: o.reportPassword! } }
      : {}),
    ...(o.reportDelay !== undefined ? { reportDelayMs: o.reportDelay } : {}),
    scripts: o.mm7Script ?? [],
  });
  say(`Hermod MMSC simulator (MM7) listening on ${sim.url}`);
  say(
    o.vaspUser !== undefined
      ? `  submit with basic auth "${o.vaspUser}" and its password`
      : '  submit with any credentials (or none)',
  );
  say(
    o.vaspUrl !== undefined
      ? `  delivery reports go to ${o.vaspUrl}`
      : '  no --vasp-url: submits are answered, no delivery reports are sent',
  );
  const delivering = o.deliverEvery ? await deliverEvery(sim, o) : undefined;
  let last = '';
  const timer =
    o.statsInterval > 0
      ? setInterval(() => {
          const line = mmscStatsLine(sim.stats);
          if (line !== last) say(`[${new Date().toISOString()}] ${line}`);
          last = line;
        }, o.statsInterval * 1000)
      : undefined;
  const stop = async (signal: string) => {
    say(`${signal}: shutting down (${mmscStatsLine(sim.stats)})`);
    if (timer) clearInterval(timer);
    if (delivering) clearInterval(delivering);
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** Inbound MMS on a timer: the demo's picture and `--mo-text`, from `--mo-from` to `--mo-to`. */
async function deliverEvery(sim: MmscSimulator, o: MmscCliOptions): Promise<NodeJS.Timeout> {
  const { demoPicture } = await import('../compose/demo-mms.js');
  const picture = demoPicture();
  say(`  an inbound MMS (DeliverReq) to the VASP every ${o.deliverEvery} s, from ${o.moFrom} to ${o.moTo}`);
  return setInterval(() => {
    sim
      .deliver({
        from: { kind: 'number', value: `+${o.moFrom.replace(/^\+/, '')}` },
        to: [{ kind: /^\d{7,}$/.test(o.moTo) ? 'number' : 'shortCode', value: o.moTo }],
        subject: 'Hermod MMSC simulator',
        parts: [
          { contentType: 'image/png', contentId: 'picture', contentLocation: 'hermod.png', bytes: picture },
          { contentType: 'text/plain; charset=utf-8', contentId: 'text', bytes: Buffer.from(o.moText) },
        ],
      })
      .catch((err: unknown) => say(`inbound MMS not taken: ${(err as Error).message}`));
  }, o.deliverEvery! * 1000);
}
