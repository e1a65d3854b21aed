/**
 * Web users' benchmark (SQLite, in process):
 *
 * 1. Sign-in timing by verdict: an unknown email, a wrong password, the right password,
 *    interleaved, through PeopleService and a LoginGuard without failure delays or lockouts
 *    (what is measured is the work, not the guard's deliberate waits). The unknown email and
 *    the wrong password must cost the same (ratio `unknown_over_wrong` ≈ 1): the same scrypt.
 * 2. What a session costs per REST v1 request: GET /v1/balance through `inject` at
 *    concurrency 50 with an API key and with a member's session token (both remembered for
 *    2 s after a store read; a session adds the role check). Ratio
 *    `session_over_api_key_us` = session µs ÷ API key µs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startHermod } from '../src/compose/index.js';
import { parseConfig } from '../src/config/index.js';
import { LoginGuard } from '../src/gateway/login-guard.js';

const KEY = 'hk_bench_key_000000000000';
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 150);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);

const dir = mkdtempSync(join(tmpdir(), 'hermod-bench-people-'));
const config = parseConfig(
  { users: [{ username: 'bench', password: 'bench', balance: 1000, rate: 0, apiKeys: [KEY] }] },
  {
    HERMOD_DATA_DIR: dir,
    HERMOD_SMPP_PORT: '0',
    HERMOD_HTTP_PORT: '0',
    HERMOD_API_PORT: '0',
    HERMOD_BIND: '127.0.0.1',
  },
  'bench',
);
const h = await startHermod(config, { logger: pino({ level: 'warn' }) });
const people = h.engine.people;
const account = (await h.gateway.services.accounts.byName('bench'))!;
await people.createMember(account.id, 'sender', {
  email: 'bench@shop.example',
  password: 'bench-password-1',
  chosen: true,
});
const guard = new LoginGuard({
  delayMs: 0,
  maxFailuresPerAddress: 1e9,
  maxFailuresPerUser: 1e9,
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const timings = { unknown: [] as number[], wrong: [] as number[], right: [] as number[] };
const attempts: [keyof typeof timings, string, string][] = [
  ['unknown', 'nobody@shop.example', 'bench-password-1'],
  ['wrong', 'bench@shop.example', 'bench-password-2'],
  ['right', 'bench@shop.example', 'bench-password-1'],
];
for (let i = 0; i < SIGN_INS; i++)
  for (const [kind, email, password] of attempts) {
    const t0 = process.hrtime.bigint();
    await people.signIn({ email, password, address: `198.51.100.${i % 250}` }, guard).catch(() => undefined);
    timings[kind].push(Number(process.hrtime.bigint() - t0) / 1000);
  }
const signIn = {
  unknown_email_us: Math.round(median(timings.unknown)),
  wrong_password_us: Math.round(median(timings.wrong)),
  right_password_us: Math.round(median(timings.right)),
};
console.log(`sign-in medians over ${SIGN_INS} each: ${JSON.stringify(signIn)}`);

const session = await people.signIn(
  { email: 'bench@shop.example', password: 'bench-password-1', address: '198.51.100.1' },
  guard,
);
/** µs per request of GET /v1/balance at concurrency 50 with this Authorization. */
async function perRequest(authorization: string): Promise<number> {
  let sent = 0;
  const worker = async () => {
    while (sent < REQUESTS) {
      sent++;
      const r = await h.api.inject({ method: 'GET', url: '/v1/balance', headers: { authorization } });
      if (r.statusCode !== 200) throw new Error(`GET /v1/balance: ${r.statusCode} ${r.body}`);
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 50 }, worker));
  return Number(process.hrtime.bigint() - t0) / 1000 / REQUESTS;
}
await perRequest(`Bearer ${KEY}`); // warm-up
const apiKeyUs = await perRequest(`Bearer ${KEY}`);
const sessionUs = await perRequest(`Bearer ${session.token}`);
console.log(
  `GET /v1/balance, ${REQUESTS} at concurrency 50: API key ${apiKeyUs.toFixed(1)} µs, session ${sessionUs.toFixed(1)} µs per request`,
);

await h.stop();
const results = {
  ...signIn,
  balance_api_key_us: Math.round(apiKeyUs * 10) / 10,
  balance_session_us: Math.round(sessionUs * 10) / 10,
};
const ratios = {
  unknown_over_wrong: Math.round((signIn.unknown_email_us / signIn.wrong_password_us) * 1000) / 1000,
  session_over_api_key_us: Math.round((sessionUs / apiKeyUs) * 1000) / 1000,
};
console.log(JSON.stringify({ bench: 'people', results, ratios }));
process.exit(0);
