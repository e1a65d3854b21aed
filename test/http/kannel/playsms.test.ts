// A PlaySMS-style client end to end: Hermod started with its Kannel listener on a real port,
// the built-in simulator as SMSC, and a script that sends exactly what PlaySMS's kannel gateway
// plugin sends (web/plugin/gateway/kannel/fn.php: a raw "GET /cgi-bin/sendsms?... HTTP/1.0"
// over a socket with username, password, from, to, dlr-mask=31, a dlr-url with type=%d&slid=,
// mclass, charset=UTF-16BE&coding=2 for unicode, text, smsc=default), reading the answer line
// as PlaySMS does, and receiving the DLR callbacks on a real local HTTP server. Also the
// intermediate states: Kannel's mask 4 and Jasmin's dlr-level 3 for an ENROUTE receipt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { configuredHermod } from '../../support/hermod.js';
import { startReceiver, type Receiver } from '../../support/http-receiver.js';
import { until } from '../../support/until.js';
import type { SimulatorConnector } from '../../../src/connectors/index.js';
import type { Receipt } from '../../../src/smpp/index.js';
import type { InboundPdu } from '../../../src/gateway/index.js';

const doc = (latencyMs: number) => ({
  server: { kannelPort: 0 },
  webhooks: { allowPrivateNetworks: true },
  users: [{ username: 'playsms', password: 'secret', balance: 10, rate: 0.01 }],
  connectors: [
    { id: 'sim', type: 'simulator', latencyMs: { min: latencyMs, max: latencyMs }, failPrefixes: ['4466'] },
  ],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
});

/** PlaySMS's request: fsockopen, "GET <URL> HTTP/1.0\r\n\r\n", then every line read; the answer is the last one. */
function playsmsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    let raw = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (raw += d));
    s.on('error', reject);
    s.on('end', () => {
      const [head, body] = raw.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d+)/.exec(head)?.[1]), body });
    });
  });
}

/**
 * kannel_hook_sendsms (playSMS 1.x): the URL PlaySMS builds (PHP urlencode: spaces as +),
 * dlr-mask from its config (31 by default), mclass only for flash, account = the username.
 */
function playsmsUrl(
  rcv: Receiver,
  o: { slid: number; to: string; msg: Buffer; unicode: boolean; flash?: boolean },
) {
  const enc = (s: string | Buffer) =>
    [...(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'))]
      .map((b) => {
        const c = String.fromCharCode(b);
        if (/[A-Za-z0-9_.-]/.test(c)) return c;
        return c === ' ' ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      })
      .join('');
  const dlr = `${rcv.url}/index.php?app=call&cat=gateway&plugin=kannel&access=dlr&type=%d&smslog_id=${o.slid}&uid=1`;
  let url = `/cgi-bin/sendsms?username=playsms&password=secret&from=${enc('PlaySMS')}&to=${enc(o.to)}`;
  url += `&dlr-mask=31&dlr-url=${enc(dlr)}`;
  if (o.flash) url += '&mclass=0';
  if (o.unicode) url += '&charset=UTF-16BE&coding=2';
  url += `&account=admin&text=${enc(o.msg)}&smsc=default`;
  return url;
}

const dlrsOf = (rcv: Receiver, slid: number) =>
  rcv.received
    .filter((r) => r.path === '/index.php' && r.query.smslog_id === String(slid))
    .map((r) => r.query.type);

test('a PlaySMS-style client: sendsms GETs answered as Kannel, DLRs 8 then 1 (or 16) on its dlr-url', async () => {
  const rcv = await startReceiver();
  const h = await configuredHermod(doc(0));
  try {
    assert.ok(h.kannelPort, 'the Kannel listener is on');
    const plain = await playsmsGet(
      h.kannelPort,
      playsmsUrl(rcv, {
        slid: 1,
        to: '447700900123',
        msg: Buffer.from('Hello from PlaySMS'),
        unicode: false,
      }),
    );
    // PlaySMS compares the line with "0: Accepted for delivery" exactly.
    assert.deepEqual(plain, { status: 202, body: '0: Accepted for delivery' });
    // mb_convert_encoding($sms_msg, "UCS-2BE"): the UTF-16BE bytes, URL-encoded.
    const ucs2 = Buffer.from('Привет', 'utf16le').swap16();
    const uni = await playsmsGet(
      h.kannelPort,
      playsmsUrl(rcv, { slid: 2, to: '447700900124', msg: ucs2, unicode: true }),
    );
    assert.equal(uni.body, '0: Accepted for delivery');
    const failed = await playsmsGet(
      h.kannelPort,
      playsmsUrl(rcv, { slid: 3, to: '446600001', msg: Buffer.from('x'), unicode: false }),
    );
    assert.equal(failed.body, '0: Accepted for delivery');
    // A handset the SMSC cannot reach: accepted (8), then UNDELIV (2). A flash message: mclass=0.
    (h.connectors.get('sim') as SimulatorConnector).simulator.addScript({
      prefix: '447700900999',
      outcome: 'undelivered',
    });
    const undeliv = await playsmsGet(
      h.kannelPort,
      playsmsUrl(rcv, {
        slid: 4,
        to: '447700900999',
        msg: Buffer.from('flash'),
        unicode: false,
        flash: true,
      }),
    );
    assert.equal(undeliv.body, '0: Accepted for delivery');
    await until(
      'the DLRs',
      () =>
        dlrsOf(rcv, 1).length === 2 &&
        dlrsOf(rcv, 2).length === 2 &&
        dlrsOf(rcv, 3).length === 1 &&
        dlrsOf(rcv, 4).length === 2,
    );
    assert.deepEqual(dlrsOf(rcv, 4), ['8', '2']);
    assert.deepEqual(dlrsOf(rcv, 1), ['8', '1']);
    assert.deepEqual(dlrsOf(rcv, 2), ['8', '1']);
    // A submit the SMSC refused (ESME_RINVDSTADR): Kannel's SMSC reject, 16.
    assert.deepEqual(dlrsOf(rcv, 3), ['16']);
    assert.ok(rcv.received.every((r) => r.method === 'GET' && r.query.uid === '1'));
    const [m] = await h.store.listMessages({ limit: 1, destination: '447700900124' });
    assert.equal(m.body.toString('hex'), ucs2.toString('hex'));
    assert.equal(m.dataCoding, 8); // UCS-2
    assert.deepEqual(m.meta.tags, ['default']); // smsc=default, a routing tag
    assert.deepEqual(m.meta.kannel?.account, 'admin');
    const [flash] = await h.store.listMessages({ limit: 1, destination: '447700900999' });
    assert.equal(flash.dataCoding, 0x10); // GSM, class 0 (flash)
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test('intermediate states: an ENROUTE receipt is Kannel dlr-mask 4 and Jasmin dlr-level 3 (not 1 or 2)', async () => {
  const rcv = await startReceiver();
  // The final receipt waits a minute: only the ENROUTE below arrives during the test.
  const h = await configuredHermod(doc(60_000));
  try {
    const kannelDlr = encodeURIComponent(`${rcv.url}/kannel?type=%d&A=%A&id=%I`);
    const k = await fetch(
      `http://127.0.0.1:${h.kannelPort}/cgi-bin/sendsms?username=playsms&password=secret&from=1&to=447700900125&text=hi&dlr-mask=12&dlr-url=${kannelDlr}`,
    );
    assert.equal(k.status, 202);
    const kid = k.headers.get('x-hermod-message-id')!;
    const send = (level: string) =>
      fetch(`http://127.0.0.1:${h.httpPort}/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          username: 'playsms',
          password: 'secret',
          to: '447700900126',
          content: 'hi',
          'dlr-url': `${rcv.url}/jasmin${level}`,
          'dlr-level': level,
        }),
      }).then(async (r) => ((await r.json()) as { data: { messageid: string } }).data.messageid);
    const j3 = await send('3');
    const j2 = await send('2');
    await until(
      'the SMSC acks',
      () => rcv.received.filter((r) => r.query.type === '8' || r.form.level === '1').length >= 2,
    );
    const sim = h.connectors.get('sim') as SimulatorConnector;
    // The SMSC's intermediate receipt, handed to the connector's receipt handler as its SMPP session does.
    const handler = (sim as unknown as { handler: (r: Receipt) => Promise<void> }).handler;
    for (const id of [kid, j3, j2]) {
      const m = await h.store.getMessage(id);
      assert.ok(m?.upstreamId, 'sent');
      await handler({ id: m.upstreamId, stat: 'ENROUTE', state: 'enroute', err: '000', sub: 1, dlvrd: 0 });
    }
    await until('Kannel type 4', () =>
      rcv.received.some((r) => r.path === '/kannel' && r.query.type === '4'),
    );
    await until('Jasmin ENROUTE', () =>
      rcv.received.some((r) => r.path === '/jasmin3' && r.form.message_status === 'ENROUTE'),
    );
    const k4 = rcv.received.find((r) => r.path === '/kannel' && r.query.type === '4')!;
    assert.equal(k4.query.id, kid);
    assert.match(k4.query.A, /stat:ENROUTE/);
    assert.deepEqual(
      rcv.received.filter((r) => r.path === '/kannel').map((r) => r.query.type),
      ['8', '4'],
    );
    const j = rcv.received.find((r) => r.path === '/jasmin3' && r.form.message_status === 'ENROUTE')!;
    assert.equal(j.form.id, j3);
    assert.equal(j.form.level, '2');
    // Level 2 hears only the final state: nothing yet.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(rcv.received.filter((r) => r.path === '/jasmin2').length, 0);
  } finally {
    await h.stop();
    await rcv.close();
  }
});

test("MO in Kannel's sms-service style: an MO route with format kannel GETs its URL with the escapes filled", async () => {
  const rcv = await startReceiver();
  const h = await configuredHermod({
    ...doc(0),
    moRoutes: [
      {
        name: 'playsms-inbox',
        prefixes: ['12345'],
        // PlaySMS's documented get-url (t, q, a, Q, smsc), and more escapes.
        url: `${rcv.url}/index.php?app=call&cat=gateway&plugin=kannel&access=geturl&t=%t&q=%q&a=%a&Q=%Q&smsc=%i&from=%p&kw=%k&rest=%r&id=%I&svc=%n&c=%c`,
        format: 'kannel',
      },
    ],
  });
  try {
    const sim = h.connectors.get('sim') as SimulatorConnector;
    // An MO as the SMSC delivers it, handed to the connector's handler as its SMPP session does.
    const onMo = (sim as unknown as { moHandler: (p: InboundPdu) => Promise<void> }).moHandler;
    await onMo({
      source: '00447700900001',
      destination: '12345',
      esmClass: 0,
      dataCoding: 0,
      shortMessage: Buffer.from('JOIN club now'),
    });
    await until('the MO callback', () => rcv.received.some((r) => r.query.access === 'geturl'));
    const r = rcv.received.find((x) => x.query.access === 'geturl')!;
    assert.equal(r.method, 'GET');
    assert.equal(r.query.from, '00447700900001');
    assert.equal(r.query.q, '+447700900001');
    assert.equal(r.query.Q, '12345');
    assert.equal(r.query.a, 'JOIN club now');
    assert.equal(r.query.kw, 'JOIN');
    assert.equal(r.query.rest, 'club now');
    assert.equal(r.query.smsc, 'sim');
    assert.equal(r.query.svc, 'playsms-inbox');
    assert.equal(r.query.c, '0');
    assert.match(r.query.t, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const [mo] = await h.store.listMo(1);
    assert.equal(r.query.id, mo.id);
  } finally {
    await h.stop();
    await rcv.close();
  }
});
