/**
 * Kannel (Debian's `kannel`: bearerbox + smsbox) as a reference gateway for the HTTP
 * benches: its sendsms HTTP interface in, SMPP out to the same SMSC simulator Hermod
 * uses, DLRs to the same callback receiver, its message store on disk (`store-type =
 * file`), so that "Hermod ÷ Kannel" compares two durable gateways in one run.
 * Lives under bench/lib so that bench/run.ts does not list it as a bench.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './native.js';

export interface RunningKannel {
  /** smsbox's sendsms port: GET /cgi-bin/sendsms?username=bench&password=bench&... */
  sendsmsPort: number;
  /** CPU time bearerbox and smsbox have used so far (user + system, µs; Linux /proc). */
  cpuMicros(): number;
  stop(): void;
}

/** Whether bearerbox and smsbox are installed (the bench skips Kannel, saying so, when not). */
export function kannelInstalled(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v bearerbox && command -v smsbox'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts bearerbox bound (transceiver, system_id `kannel`, password `pw`) to the SMSC at
 * `smscPort`, then smsbox; resolves once `bound()` says the SMSC sees the bind and sendsms
 * answers. Credentials of the sendsms user: bench / bench.
 */
export async function startKannel(
  smscPort: number,
  bound: () => Promise<boolean>,
  store: 'none' | 'file' = 'file',
): Promise<RunningKannel> {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-kannel-'));
  const [admin, boxPort, sendsmsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const conf = join(dir, 'kannel.conf');
  writeFileSync(
    conf,
    `group = core
admin-port = ${admin}
admin-password = bench
smsbox-port = ${boxPort}
log-file = "${dir}/bearerbox.log"
log-level = 2
box-allow-ip = "127.0.0.1"
dlr-storage = internal
${store === 'file' ? `store-type = file\nstore-location = "${dir}/store"` : ''}

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = ${smscPort}
transceiver-mode = true
smsc-username = kannel
smsc-password = pw
system-type = ""
max-pending-submits = 100
reconnect-delay = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${boxPort}
sendsms-port = ${sendsmsPort}
log-file = "${dir}/smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench
max-messages = 10
`,
  );
  const procs: ChildProcess[] = [spawn('bearerbox', [conf], { stdio: 'ignore' })];
  const stop = () => procs.forEach((p) => p.kill('SIGKILL'));
  try {
    await waitFor(bound, 'bearerbox to bind to the SMSC');
    procs.push(spawn('smsbox', [conf], { stdio: 'ignore' }));
    await waitFor(() => answers(sendsmsPort), 'smsbox to answer on its sendsms port');
  } catch (err) {
    stop();
    throw err;
  }
  const cpuMicros = () => procs.reduce((sum, p) => sum + cpuOf(p.pid), 0);
  return { sendsmsPort, cpuMicros, stop };
}

/** utime + stime of a process in µs (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return 0;
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(ok: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const end = Date.now() + 30_000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`Kannel: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
