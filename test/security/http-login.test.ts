// Issue 13 items 7 and 5 over HTTP: password guessing on the Jasmin-style API meets the same
// login guard as SMPP binds (lockout counted per address and username, scrypt off the event
// loop), and an unknown user is answered as a wrong password is, in about the same time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { PING_BOUND_MS, getFrom, probePing } from './attack.js';

const balance = (password: string, username = 'demo') =>
  `/balance?username=${username}&password=${encodeURIComponent(password)}`;

test('item 7: 15 wrong passwords then the right one: locked out, not 200', async () => {
  const h = await demoHermod();
  try {
    for (let i = 0; i < 15; i++) {
      const r = await getFrom(h.httpPort, balance(`wrong${i}`), '127.0.0.8');
      assert.notEqual(r.status, 200);
    }
    const right = await getFrom(h.httpPort, balance('demo'), '127.0.0.8');
    assert.notEqual(right.status, 200, 'the right password is refused while the address is locked out');
    // Another address is not locked out (the username's own limit is higher).
    const other = await getFrom(h.httpPort, balance('demo'), '127.0.0.9');
    assert.equal(other.status, 200);
    // Failed logins and lockouts are counted for /metrics (and logged, component "auth").
    const metrics = await (await fetch(`http://127.0.0.1:${h.apiPort}/metrics`)).text();
    assert.match(metrics, /hermod_login_lockouts_total\{door="http",scope="address"\} 1/);
    assert.match(metrics, /hermod_login_failures_total\{door="http",reason="locked"\} \d+/);
  } finally {
    await h.stop();
  }
});

test('item 7: 8 clients guessing passwords do not stall the process', async () => {
  const h = await demoHermod();
  const ping = probePing(h.httpPort);
  try {
    const until = Date.now() + 2000;
    await Promise.all(
      Array.from({ length: 8 }, async (_, c) => {
        for (let i = 0; Date.now() < until; i++)
          await getFrom(h.httpPort, balance(`guess${i}`, `user${c}`), `127.0.1.${c + 1}`);
      }),
    );
  } finally {
    const { worst, errors, count } = await ping.stop();
    await h.stop();
    assert.equal(errors, 0);
    assert.ok(count > 5);
    assert.ok(worst < PING_BOUND_MS, `/ping took ${worst.toFixed(0)} ms during the attack`);
  }
});

test('item 5: an unknown user and a wrong password get the same answer in about the same time', async () => {
  const h = await demoHermod();
  try {
    // Fresh addresses and usernames each time: the lockout's delays are then the same for both.
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 3; i++) {
      const u = await getFrom(h.httpPort, balance('x', `nobody${i}`), `127.0.2.${i + 1}`);
      const w = await getFrom(h.httpPort, balance(`wrong${i}`), `127.0.3.${i + 1}`);
      assert.equal(u.status, w.status);
      unknown.push(u.ms);
      wrong.push(w.ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
    assert.ok(
      median(unknown) >= median(wrong) * 0.5,
      `unknown user ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms`,
    );
  } finally {
    await h.stop();
  }
});
