/**
 * The gateway benchmark's peers, in their own process: the upstream SMSC (our simulator)
 * and the customer (an SMPP client bound to Hermod). Hermod runs in the parent, so it has
 * a core to itself, as it would beside a real SMSC and real customers.
 *
 * Protocol on stdio, one JSON object per line:
 *   out {"simPort":N}                          once the simulator listens
 *   in  {"hermodPort":P,"n":N,"binds"?:B,"chars"?:C}
 *                                              bind B times (1) to Hermod and send N messages of
 *                                              C characters (17; over 254, as message_payload)
 *   out {"done":true,...results}               when all N reached the SMSC and all receipts came back
 *                                              (with the peers' CPU time per message)
 */
import { createInterface } from 'node:readline';
import { SmppClient, type Pdu } from '../src/smpp/index.js';
import { SmscSimulator } from '../src/simulator/index.js';

const sim = new SmscSimulator({ port: 0 });
const simPort = await sim.listen();
console.log(JSON.stringify({ simPort }));

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { hermodPort, n, binds, chars } = JSON.parse(line) as {
    hermodPort: number;
    n: number;
    binds?: number;
    chars?: number;
  };
  console.log(JSON.stringify({ done: true, ...(await run(hermodPort, n, binds ?? 1, chars)) }));
  break;
}
await sim.close();
process.exit(0);

/** The text of each message: `chars` GSM characters (over 254: sent as message_payload). */
function content(chars: number | undefined) {
  if (chars === undefined) return { shortMessage: Buffer.from('benchmark message') };
  const text = Buffer.from('benchmark message 0123456789 '.repeat(Math.ceil(chars / 29)).slice(0, chars));
  return chars > 254
    ? { shortMessage: Buffer.alloc(0), tlvs: { messagePayload: text } }
    : { shortMessage: text };
}

async function run(port: number, n: number, binds: number, chars: number | undefined) {
  const clients = Array.from(
    { length: binds },
    () =>
      new SmppClient({
        host: '127.0.0.1',
        port,
        systemId: 'demo',
        password: 'demo',
        reconnect: false,
        windowSize: 100,
      }),
  );
  let receipts = 0;
  let lastReceipt = 0;
  for (const c of clients)
    c.on('deliver_sm', (_p: Pdu, respond: () => void) => {
      receipts++;
      lastReceipt = performance.now();
      respond();
    });
  await Promise.all(clients.map((c) => c.connect()));
  const c = clients[0];
  const body = content(chars);
  const cpu0 = process.cpuUsage();
  const submitsBefore = sim.stats.submits;
  const lat: number[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 100 * binds }, async (_, i) => {
      while (next < n) {
        next++;
        const s = performance.now();
        await clients[i % binds].submitSm({
          sourceAddr: 'Bench',
          destinationAddr: '447700900123',
          registeredDelivery: 1,
          ...body,
        });
        lat.push(performance.now() - s);
      }
    }),
  );
  const tAccepted = performance.now();
  // The simulator's count only when it is the SMSC (the gateway bench may use another).
  const atSim = () => sim.stats.submits - submitsBefore;
  while ((receipts < n || (atSim() > 0 && atSim() < n)) && performance.now() - tAccepted < 300_000)
    await new Promise((r) => setTimeout(r, 20));
  const tSmsc = performance.now();
  const atSmsc = sim.stats.submits - submitsBefore;
  lat.sort((a, b) => a - b);
  // Paced at 1,000 msg/s for 2 s: acceptance latency under a normal load.
  const paced: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const s = performance.now();
    void c
      .submitSm({ destinationAddr: '447700900123', shortMessage: Buffer.from('paced') })
      .then(() => paced.push(performance.now() - s));
    await new Promise((r) => setTimeout(r, 1)); // about 1,000 msg/s (timer granularity)
  }
  while (paced.length < 2000) await new Promise((r) => setTimeout(r, 10));
  paced.sort((a, b) => a - b);
  await Promise.all(clients.map((c) => c.close()));
  // The peers' own CPU (customer and SMSC together) per message of the run, the paced part
  // included, as Hermod's is counted: what the machine spends on them whatever sits between.
  const cpu = process.cpuUsage(cpu0);
  const p = (a: number[], q: number) =>
    Math.round(a[Math.min(a.length - 1, Math.floor(a.length * q))] * 1000) / 1000;
  return {
    accepted_per_s: Math.round(n / ((tAccepted - t0) / 1000)),
    end_to_end_per_s: Math.round(n / ((Math.max(tSmsc, lastReceipt) - t0) / 1000)),
    at_smsc: atSmsc,
    receipts_back: receipts,
    accept_p50_ms: p(lat, 0.5),
    accept_p99_ms: p(lat, 0.99),
    paced_1000_p50_ms: p(paced, 0.5),
    paced_1000_p99_ms: p(paced, 0.99),
    peers_cpu_us_per_msg: Math.round((cpu.user + cpu.system) / (n + 2000)),
  };
}
