// MMS to email (docs/mms.md, "MMS to email"): the `smtp:` block and MO routes' `email` target
// checked by key path; an inbound MMS (the MMSC simulator's DeliverReq) routed to `email` is
// mailed through a real local SMTP server (smtp-server, with AUTH): the right headers, the
// text with the full number, the first picture attached byte for byte, the one past
// `maxAttachmentBytes` as a signed link that serves it. The SMTP server is down at first: the
// outbox item is retried, survives a restart of Hermod, and the mail arrives once the server
// is up. An MO without media passes an MMS-only email route by; `emailSms` mails it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { startHermod } from '../../src/compose/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { MmscSimulator } from '../../src/mm7/index.js';
import { until } from '../support/until.js';
import { GIF, PNG } from '../support/media-samples.js';

const MM7_OUT = { username: 'hermod', password: 'vasp-secret-1' };
const MM7_IN = { username: 'mmsc', password: 'relay-secret-1' };
const SMTP_LOGIN = { user: 'hermod-mail', pass: 'smtp-secret-1' };

const env = (extra: Record<string, string> = {}) => ({
  HERMOD_DATA_DIR: mkdtempSync(join(tmpdir(), 'hermod-test-')),
  HERMOD_SMPP_PORT: '0',
  HERMOD_HTTP_PORT: '0',
  HERMOD_API_PORT: '0',
  HERMOD_BIND: '127.0.0.1',
  ...extra,
});

function issues(doc: Record<string, unknown>, e: Record<string, string> = {}): string[] {
  try {
    parseConfig({ users: [{ username: 'shop', password: 'pw', balance: 1 }], ...doc }, env(e), 'test');
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

test('config: smtp: and MO routes’ email target are checked by key path; the login from the environment', () => {
  const smtp = { host: 'mail.example.com', from: 'mms@example.com' };
  const ok = parseConfig(
    {
      smtp: { ...smtp, user: 'u', password: 'file' },
      moRoutes: [{ prefixes: ['5555'], email: 'a@example.com' }],
    },
    env({ HERMOD_SMTP_PASSWORD: 'from-env' }),
    'test',
  );
  assert.deepEqual(ok.smtp, {
    host: 'mail.example.com',
    port: 587,
    secure: false,
    starttls: 'auto',
    user: 'u',
    password: 'from-env',
    from: 'mms@example.com',
    maxAttachmentBytes: 5 * 2 ** 20,
    timeoutS: 30,
  });
  assert.deepEqual(ok.moRoutes[0].email, ['a@example.com']);
  assert.equal(parseConfig({ smtp: { ...smtp, secure: true } }, env(), 'test').smtp?.port, 465);
  const found = issues({
    smtp: { host: 'mail.example.com', from: 'not-an-address', user: 'u', starttls: 'maybe', port: 0 },
    moRoutes: [
      { prefixes: ['1'], email: ['ok@example.com', 'nope'] },
      { prefixes: ['2'], email: 'x@example.com', user: 'shop' },
      { prefixes: ['3'], url: 'https://example.com/mo', emailSms: true },
    ],
  });
  for (const want of [
    /^smtp\.from: expected an email address/,
    /^smtp\.password: user and password go together/,
    /^smtp\.starttls: expected one of required, auto, never/,
    /^smtp\.port: expected an integer/,
    /^moRoutes\[0\]\.email\[1\]: expected an email address, got "nope"/,
    /^moRoutes\[1\]: has more than one of user, url and email/,
    /^moRoutes\[2\]\.emailSms: only email routes have emailSms/,
  ])
    assert.ok(
      found.some((i) => want.test(i)),
      `${want}: ${found.join('; ')}`,
    );
  assert.ok(
    issues({ moRoutes: [{ prefixes: ['1'], email: 'a@example.com' }] }).some((i) =>
      /^moRoutes\[0\]\.email: needs the smtp: block/.test(i),
    ),
  );
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on `port` (plain, AUTH required): the mails it took. */
async function smtpSink(port: number) {
  const mails: Mail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      logins.push(auth.username ?? '');
      if (auth.username === SMTP_LOGIN.user && auth.password === SMTP_LOGIN.pass)
        cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('latin1'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { mails, logins, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Headers (unfolded, lower-case names) and body of a MIME entity. */
function entity(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4) };
}

/** The parts of a multipart entity, each decoded (base64 or quoted-printable or as is). */
function parts(raw: string): { headers: Map<string, string>; bytes: Buffer }[] {
  const { headers, body } = entity(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers.get('content-type') ?? '')?.[1];
  assert.ok(boundary, 'a multipart mail');
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((p) => {
      const e = entity(p.replace(/^\r\n/, ''));
      const cte = e.headers.get('content-transfer-encoding') ?? '';
      const bytes =
        cte === 'base64'
          ? Buffer.from(e.body.replace(/\s+/g, ''), 'base64')
          : cte === 'quoted-printable'
            ? Buffer.from(
                e.body
                  .replace(/=\r\n/g, '')
                  .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
                'latin1',
              )
            : Buffer.from(e.body, 'latin1');
      return { headers: e.headers, bytes };
    });
}

test('an inbound MMS mailed through a real SMTP server: retried while it is down, across a restart; headers, text, attachment, link', async () => {
  const smtpPort = await freePort();
  const apiPort = await freePort();
  const origin = `http://127.0.0.1:${apiPort}`;
  const mmsc = await MmscSimulator.start({ credentials: [MM7_OUT], vaspCredentials: MM7_IN });
  const doc = {
    webhooks: { backoff: { initialMs: 200, maxMs: 500 } },
    media: { publicUrl: origin },
    smtp: {
      host: '127.0.0.1',
      port: smtpPort,
      starttls: 'never',
      user: SMTP_LOGIN.user,
      password: SMTP_LOGIN.pass,
      from: 'mms@hermod.example',
      maxAttachmentBytes: PNG.length,
      timeoutS: 2,
    },
    users: [{ username: 'shop', password: 'pw', balance: 1 }],
    connectors: [{ id: 'mms', type: 'mm7', url: mmsc.url, ...MM7_OUT, inbound: MM7_IN }],
    routes: [{ name: 'default', type: 'static', connectors: ['mms'] }],
    moRoutes: [
      { name: 'pictures', prefixes: ['5555'], email: ['ops@example.com', 'pics@example.org'] },
      { name: 'all', prefixes: ['6666'], email: 'all@example.com', emailSms: true },
      { name: 'rest', prefixes: [], user: 'shop' },
    ],
  };
  const e = env({ HERMOD_API_PORT: String(apiPort) });
  const start = () =>
    startHermod(parseConfig(doc, e, 'test'), {
      logger: pino({ level: process.env.HERMOD_LOG_LEVEL ?? 'silent' }),
    });
  let h = await start();
  mmsc.setVasp(`${origin}/v1/hooks/connectors/mms/mm7`, MM7_IN);
  let sink: Awaited<ReturnType<typeof smtpSink>> | undefined;
  try {
    const rsp = await mmsc.deliver({
      from: { kind: 'number', value: '+447700900555' },
      to: [{ kind: 'shortCode', value: '5555' }],
      subject: 'Holiday',
      parts: [
        { contentType: 'image/png', contentId: 'p1', contentLocation: 'beach.png', bytes: PNG },
        { contentType: 'image/gif', contentId: 'p2', contentLocation: 'wave.gif', bytes: GIF },
        { contentType: 'text/plain; charset=utf-8', contentId: 't', bytes: Buffer.from('Sun and sea') },
      ],
    });
    assert.equal(rsp.status.code, 1000);
    const [mo] = await h.store.listMo(1);
    assert.equal(mo.routedUrl, 'mailto:ops@example.com,pics@example.org');
    // The SMTP server is down: the item is tried and kept.
    await until('a failed attempt recorded', async () =>
      (await h.store.listPendingWebhooks(10)).some(
        (w) => w.kind === 'email' && w.attempts >= 1 && /SMTP: .*ECONNREFUSED/.test(w.lastError ?? ''),
      ),
    );
    await h.stop();
    sink = await smtpSink(smtpPort);
    h = await start();
    await until('the mail arrives after the restart', () => sink!.mails.length >= 1, 15_000);
    const mail = sink.mails[0];
    assert.deepEqual(sink.logins.at(-1), SMTP_LOGIN.user);
    assert.equal(mail.from, 'mms@hermod.example');
    assert.deepEqual(mail.to, ['ops@example.com', 'pics@example.org']);
    const { headers } = entity(mail.raw);
    assert.equal(headers.get('subject'), 'Holiday');
    assert.equal(headers.get('from'), 'mms@hermod.example');
    assert.equal(headers.get('to'), 'ops@example.com, pics@example.org');
    assert.equal(headers.get('x-hermod-mo-id'), mo.id);
    assert.match(headers.get('message-id') ?? '', /^<\w+@hermod>$/);
    const [text, attachment] = parts(mail.raw);
    const body = text.bytes.toString('utf8');
    assert.match(body, /^MMS from \+447700900555 to \+5555, received /);
    assert.match(body, /Subject: Holiday\r?\nSun and sea/);
    assert.match(body, /Attached: beach\.png \(image\/png, \d+ bytes\)/);
    const link = /Too large to attach: wave\.gif \(image\/gif, \d+ bytes\): (\S+)/.exec(body)?.[1];
    assert.ok(link?.startsWith(`${origin}/media/`), body);
    assert.deepEqual(Buffer.from(await (await fetch(link!)).arrayBuffer()), GIF, 'the link serves the GIF');
    assert.match(attachment.headers.get('content-type') ?? '', /^image\/png/);
    assert.match(attachment.headers.get('content-disposition') ?? '', /attachment; filename="?beach\.png/);
    assert.deepEqual(attachment.bytes, PNG, 'the picture attached byte for byte');
    await until('the item acknowledged', async () =>
      (await h.store.listPendingWebhooks(10)).every((w) => w.kind !== 'email'),
    );

    // An SMS: an MMS-only email route passes it on (to the bind route); emailSms mails it.
    // (A DeliverReq with text alone: no media, an SMS as the routes see it.)
    const sms = async (to: string, text: string) =>
      mmsc.deliver({
        from: { kind: 'number', value: '+447700900556' },
        to: [{ kind: 'shortCode', value: to }],
        parts: [{ contentType: 'text/plain; charset=utf-8', contentId: 't', bytes: Buffer.from(text) }],
      });
    await sms('5555', 'plain sms');
    await sms('6666', 'mailed sms');
    await until('the SMS mailed by the emailSms route', () => sink!.mails.length >= 2, 15_000);
    assert.equal(sink.mails.length, 2, 'the SMS to 5555 was not mailed');
    const smsMail = entity(sink.mails[1].raw);
    assert.equal(smsMail.headers.get('subject'), 'SMS from +447*******56');
    assert.match(smsMail.body, /mailed sms/);
    const listed = await h.store.listMo(5);
    assert.equal(listed.find((m) => m.destination === '5555' && m.media === undefined)?.routedTo, 'shop');
  } finally {
    await h.stop();
    await mmsc.close();
    await sink?.close();
  }
});
