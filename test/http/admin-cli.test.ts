// The operator CLI (the admin API's client) against a running Hermod: every admin command with and without --json,
// --help of each, config check on a good and a bad file, a CSV bulk send with bad rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

test('the --help of every operator command (in-process), and hermod --help and a leaf --help spawned', async () => {
  const { buildProgram } = await import('../../src/cli/program.js');
  const program = buildProgram();
  const sub = (path: string[]) =>
    path.reduce((c, name) => c.commands.find((x) => x.name() === name)!, program);
  const groups = {
    messages: ['list', 'show', 'tail'],
    users: ['list', 'show', 'add', 'set', 'credit'],
    connectors: ['list', 'show', 'set', 'remove', 'start', 'stop'],
    routes: ['list', 'set', 'test'],
    optouts: ['list', 'add', 'remove'],
    webhooks: ['log', 'pending'],
    groups: ['list', 'set'],
  };
  for (const [g, subs] of Object.entries(groups)) {
    const help = sub([g]).helpInformation();
    for (const s2 of subs) assert.match(help, new RegExp(`^  ${s2}\\b`, 'm'), `${g} --help lists ${s2}`);
  }
  for (const leaf of [
    ...Object.entries(groups).flatMap(([g, subs]) => subs.map((s2) => [g, s2])),
    ['stats'],
  ]) {
    const help = sub(leaf).helpInformation();
    assert.match(help, new RegExp(`Usage: hermod ${leaf.join(' ')}`));
    for (const opt of ['--url <url>', '--key <key>', '--json', 'HERMOD_ADMIN_KEY'])
      assert.ok(help.includes(opt), `${leaf.join(' ')} --help mentions ${opt}`);
  }
  assert.match(sub(['config', 'check']).helpInformation(), /\[file\]/);
  assert.match(sub(['send']).helpInformation(), /--csv <file>/);

  const [top, leaf] = await Promise.all([hermod(['--help']), hermod(['users', 'credit', '--help'])]);
  for (const c of [
    'start',
    'simulate',
    'send',
    'messages',
    'users',
    'connectors',
    'routes',
    'optouts',
    'stats',
    'groups',
    'webhooks',
    'config',
  ])
    assert.match(ok(top, 'hermod --help').stdout, new RegExp(`^  ${c}\\b`, 'm'));
  assert.match(
    ok(leaf, 'users credit --help').stdout,
    /Usage: hermod users credit \[options\] <username> <amount>/,
  );
});

test('hermod config check: ok on a good file, every issue with its key path and exit 1 on a bad one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfgcheck-'));
  const good = join(dir, 'good.yaml');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    good,
    'users:\n  - { username: shop, password: pw, balance: 5 }\nconnectors:\n  - { id: sim, type: simulator }\nroutes:\n  - { name: all, connectors: [sim] }\nadmin:\n  keys: [an-admin-key-of-20-chars]\n',
  );
  writeFileSync(
    bad,
    'users:\n  - { username: shop, passwrd: pw }\nconnectors:\n  - { id: sim, type: simulator, windw: 3 }\nroutes:\n  - { name: all, connectors: [nope] }\nadmin:\n  keys: [short]\n',
  );
  const [g, gj, b, bj, missing] = await Promise.all([
    hermod(['config', 'check', good]),
    hermod(['config', 'check', good, '--json']),
    hermod(['config', 'check', bad]),
    hermod(['config', 'check', bad, '--json']),
    hermod(['config', 'check', join(dir, 'none.yaml')]),
  ]);
  assert.match(ok(g, 'good').stdout, /ok \(1 users, 1 connectors, 1 routes, 1 admin keys\)/);
  assert.equal(json(ok(gj, 'good --json')).ok, true);
  assert.equal(b.code, 1);
  for (const path of [
    'users[0].passwrd: unknown key (did you mean "password"?)',
    'users[0].password: is required',
    'connectors[0].windw: unknown key',
    'routes[0].connectors[0]: unknown connector "nope"',
    'admin.keys[0]: expected a string of at least 16 characters',
  ]) {
    assert.ok(b.stderr.includes(path), `reports ${path}: ${b.stderr}`);
  }
  assert.equal(bj.code, 1);
  const issues = json<{ ok: boolean; issues: { path: string }[] }>(bj);
  assert.equal(issues.ok, false);
  assert.deepEqual(issues.issues.map((i) => i.path).sort(), [
    'admin.keys[0]',
    'connectors[0].windw',
    'routes[0].connectors[0]',
    'users[0].password',
    'users[0].passwrd',
  ]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /none\.yaml/);
});

test('operator commands against a running Hermod, with and without --json', async () => {
  const h = await demoHermod();
  const url = `http://127.0.0.1:${h.apiPort}`;
  const api = (...args: string[]) => hermod([...args, '--url', url]);
  try {
    const until = async (cond: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 500 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => h.gateway.getConnector('sim')!.ready);

    // A CSV bulk send over SMPP with a header, good rows, a row without text, a bad number and a row with too many columns.
    const dir = mkdtempSync(join(tmpdir(), 'hermod-csv-'));
    const csv = join(dir, 'bulk.csv');
    writeFileSync(
      csv,
      'to,text,from\n447700900201,first,Shop\n+447700900202,"second, with a comma"\n447700900203,\nnot-a-number,hello\n447700900204,ok,Shop,extra\n447700900205,Grüße ' +
        'x'.repeat(170) +
        '\n',
    );
    const [bulk, bulkJson] = await Promise.all([
      hermod(['send', '--csv', csv, '--port', String(h.smppPort), '--window', '4']),
      hermod(['send', '--csv', csv, '--port', String(h.smppPort), '--json']),
    ]);
    assert.equal(bulk.code, 4, 'refused rows make exit code 4');
    assert.match(bulk.stdout, /^6 rows: 3 accepted, 3 refused$/m);
    assert.match(bulk.stdout, /row 4 \(447700900203\): no text/);
    assert.match(bulk.stdout, /row 5 \(not-a-number\): ESME_RINVDSTADR/);
    assert.match(bulk.stdout, /row 6 \(447700900204\): expected 2 or 3 columns/);
    assert.match(bulk.stderr, /progress: 6\/6 accepted=3 refused=3/, 'progress lines when not on a TTY');
    assert.equal(bulkJson.code, 4);
    const summary = json<{
      total: number;
      accepted: number;
      refused: number;
      refusals: { row: number; reason: string }[];
      messages: { row: number; ids: string[] }[];
    }>(bulkJson);
    assert.deepEqual([summary.total, summary.accepted, summary.refused], [6, 3, 3]);
    assert.deepEqual(
      summary.refusals.map((r) => r.row),
      [4, 5, 6],
    );
    assert.deepEqual(
      summary.messages.map((m) => [m.row, m.ids.length]),
      [
        [2, 1],
        [3, 1],
        [7, 2],
      ],
    );
    const firstId = summary.messages[0].ids[0];
    assert.equal((await h.store.getMessage(firstId))?.source, 'Shop');
    await until(async () =>
      (await h.store.listMessages({ limit: 100 })).every((m) => m.state === 'delivered'),
    );

    const [
      users,
      usersJ,
      conns,
      connsJ,
      routes,
      routesJ,
      rtest,
      rtestJ,
      stats,
      statsJ,
      msgs,
      msgsJ,
      show,
      showJ,
      delivered,
    ] = await Promise.all([
      api('users', 'list'),
      api('users', 'list', '--json'),
      api('connectors', 'list'),
      api('connectors', 'list', '--json'),
      api('routes', 'list'),
      api('routes', 'list', '--json'),
      api('routes', 'test', '+447700900123', '--user', 'demo'),
      api('routes', 'test', '447700900123', '--json'),
      api('stats'),
      api('stats', '--json'),
      api('messages', 'list', '--limit', '3'),
      api('messages', 'list', '--json'),
      api('messages', 'show', firstId),
      api('messages', 'show', firstId, '--json'),
      api('messages', 'list', '--state', 'delivered', '--to', '447700900202', '--json'),
    ]);
    assert.match(
      ok(users, 'users list').stdout,
      /^USERNAME\s+ENABLED\s+BALANCE\s+RATE\ndemo\s+true\s+99\.92\s+0\.01$/m,
    );
    assert.deepEqual(
      json<{ users: { username: string; balance: string }[] }>(ok(usersJ, 'users list --json')).users.map(
        (u) => [u.username, u.balance],
      ),
      [['demo', '99.92']],
    );
    assert.match(ok(conns, 'connectors list').stdout, /^sim\s+simulator\s+bound\s+0\/50\s/m);
    const c0 = json<{
      connectors: {
        id: string;
        state: string;
        counters: { submits: number; submitted: number };
        queueDepth: number;
      }[];
    }>(ok(connsJ, 'connectors list --json')).connectors[0];
    assert.deepEqual(
      [c0.id, c0.state, c0.counters.submits, c0.counters.submitted, c0.queueDepth],
      ['sim', 'bound', 8, 8, 0],
    );
    assert.match(ok(routes, 'routes list').stdout, /^1\s+default\s+static\s+\(any\)\s+sim\s+-$/m);
    assert.equal(
      json<{ routes: { name: string }[] }>(ok(routesJ, 'routes list --json')).routes[0].name,
      'default',
    );
    assert.match(
      ok(rtest, 'routes test').stdout,
      /route\s+default \(#1, static\)\nconnectors\s+sim\nprice\s+0\.01 per part \(user\)/,
    );
    assert.deepEqual(
      json<{ route: { name: string }; connectors: { id: string; ready: boolean }[] }>(
        ok(rtestJ, 'routes test --json'),
      ).connectors,
      [{ id: 'sim', ready: true }],
    );
    assert.match(ok(stats, 'stats').stdout, /messages: 8\s+queue: 0\s+MO: 0\s+connectors bound: 1\/1/);
    assert.match(stats.stdout, /^sim\s+0\s+8$/m);
    assert.deepEqual(
      json<{ messages: { byState: Record<string, number> } }>(ok(statsJ, 'stats --json')).messages.byState,
      { delivered: 8 },
    );
    const listed = ok(msgs, 'messages list').stdout.trim().split('\n');
    assert.match(listed[0], /^ID\s+CREATEDAT\s+USER\s+FROM\s+TO\s+STATE/);
    assert.equal(listed.length, 5, 'header, 3 rows, a "more" line');
    assert.match(listed[4], /^more: --before [0-9a-z]{26}$/);
    assert.equal(json<{ messages: unknown[] }>(ok(msgsJ, 'messages list --json')).messages.length, 8);
    assert.match(ok(show, 'messages show').stdout, /^text\s+first$/m);
    assert.match(show.stdout, /^\S+\s+delivered\s+DELIVRD err:000$/m);
    assert.deepEqual(
      json<{ history: { state: string }[] }>(ok(showJ, 'messages show --json')).history.map((e) => e.state),
      ['accepted', 'queued', 'sent', 'delivered'],
    );
    assert.deepEqual(
      json<{ messages: { text: string }[] }>(ok(delivered, 'filtered list')).messages.map((m) => m.text),
      ['second, with a comma', 'second, with a comma'],
    );

    // Changes, three independent chains at once: users add/set/credit, opt-outs, connectors stop/start.
    await Promise.all([
      (async () => {
        assert.match(
          ok(
            await api('users', 'add', 'carol', '--password', 'pw', '--balance', '5', '--rate', '0.02'),
            'users add',
          ).stdout,
          /created carol \(balance 5\.00, rate 0\.02\)/,
        );
        assert.equal(
          json(ok(await api('users', 'add', 'dave', '--password', 'pw', '--json'), 'users add --json'))
            .username,
          'dave',
        );
        assert.match(
          ok(await api('users', 'credit', 'carol', '2.5'), 'users credit').stdout,
          /carol: balance 7\.50/,
        );
        assert.equal(
          json(ok(await api('users', 'credit', 'carol', '-0.5', '--json'), 'users credit --json')).balance,
          '7.00',
        );
        const refusedCredit = await api('users', 'credit', 'carol', '-100');
        assert.equal(refusedCredit.code, 1);
        assert.match(refusedCredit.stderr, /HERMOD_ERR_INSUFFICIENT_BALANCE/);
        assert.equal(
          json(
            ok(
              await api('users', 'set', 'carol', '--disable', '--rate', '0.03', '--json'),
              'users set --json',
            ),
          ).enabled,
          false,
        );
        assert.match(
          ok(await api('users', 'set', 'carol', '--enable'), 'users set').stdout,
          /^enabled\s+true$/m,
        );
        assert.match(ok(await api('users', 'show', 'carol'), 'users show').stdout, /^balance\s+7\.00$/m);
        assert.equal(
          json(ok(await api('users', 'show', 'carol', '--json'), 'users show --json')).rate,
          '0.03',
        );
      })(),
      (async () => {
        assert.match(
          ok(await api('optouts', 'add', '+447700900777', 'Shop'), 'optouts add').stdout,
          /447700900777 opted out of Shop/,
        );
        assert.equal(
          json(ok(await api('optouts', 'add', '447700900778', 'Shop', '--json'), 'optouts add --json'))
            .msisdn,
          '447700900778',
        );
        assert.match(
          ok(await api('optouts', 'list'), 'optouts list').stdout,
          /^447700900777\s+Shop\s+\d{4}-/m,
        );
        assert.equal(await h.store.isOptedOut('447700900777', 'Shop'), true);
        assert.match(
          ok(await api('optouts', 'remove', '447700900777', 'Shop'), 'optouts remove').stdout,
          /may receive from Shop again/,
        );
        assert.equal(
          json(ok(await api('optouts', 'remove', '447700900778', 'Shop', '--json'), 'optouts remove --json'))
            .removed,
          true,
        );
        assert.deepEqual(
          json<{ optouts: unknown[] }>(ok(await api('optouts', 'list', '--json'), 'optouts list --json'))
            .optouts,
          [],
        );
      })(),
      (async () => {
        assert.match(ok(await api('connectors', 'stop', 'sim'), 'connectors stop').stdout, /^sim: stopped$/m);
        assert.equal(h.gateway.getConnector('sim')!.ready, false);
        assert.notEqual(
          json(ok(await api('connectors', 'start', 'sim', '--json'), 'connectors start --json')).state,
          'stopped',
        );
        await until(() => h.gateway.getConnector('sim')!.ready);
        assert.equal(h.gateway.getConnector('sim')!.ready, true);
        assert.match(
          ok(await api('connectors', 'stop', 'sim', '--json'), 'connectors stop --json').stdout,
          /"state": "stopped"/,
        );
        assert.match(
          ok(await api('connectors', 'start', 'sim'), 'connectors start').stdout,
          /^sim: (connecting|bound|reconnecting)$/m,
        );
      })(),
    ]);

    // messages tail: waits, then prints the messages accepted after it started.
    const demo = (await h.store.getUserByName('demo'))!;
    const follow = async (extra: string[], n: number) => {
      let started!: () => void;
      const ready = new Promise<void>((r) => (started = r));
      const run = hermod(
        ['messages', 'tail', '--url', url, '--interval', '0.1', '--max', String(n), ...extra],
        {},
        (s) => s.includes('following new messages') && started(),
      );
      await ready;
      const ids: string[] = [];
      for (let i = 0; i < n; i++)
        ids.push(
          await h.gateway.submit(demo, {
            systemId: 'demo',
            source: 'Tail',
            destination: `44770090030${i}`,
            esmClass: 0,
            dataCoding: 0,
            body: Buffer.from('tail'),
            registeredDelivery: 0,
          }),
        );
      return { r: ok(await run, `messages tail ${extra.join(' ')}`), ids };
    };
    const tj = await follow(['--json'], 2);
    assert.deepEqual(
      tj.r.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
      tj.ids,
    );
    const tt = await follow([], 1);
    assert.match(tt.r.stdout, new RegExp(`^${tt.ids[0]}\\s+\\S+\\s+demo\\s+Tail\\s+447700900300\\s`, 'm'));

    // Errors: a wrong key, an unknown user, nobody listening.
    const [wrong, envKey, nobody, down] = await Promise.all([
      hermod(['users', 'list', '--url', url, '--key', 'wrong-key-wrong-key']),
      hermod(['users', 'list', '--url', url], { HERMOD_ADMIN_KEY: 'wrong-key-from-env' }),
      api('users', 'show', 'nobody'),
      hermod(['stats', '--url', 'http://127.0.0.1:1']),
    ]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /HERMOD_ERR_INVALID_ADMIN_KEY/);
    assert.match(envKey.stderr, /HERMOD_ERR_INVALID_ADMIN_KEY/, 'HERMOD_ADMIN_KEY is the default key');
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no user "nobody" \(HERMOD_ERR_UNKNOWN_USER\)/);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach Hermod at http:\/\/127\.0\.0\.1:1/);
  } finally {
    await h.stop();
  }
});

test('hermod webhooks log and pending, groups set and list, users set --group and --sms-count against a running Hermod, with and without --json', async () => {
  const h = await demoHermod();
  const url = `http://127.0.0.1:${h.apiPort}`;
  const api = (...args: string[]) => hermod([...args, '--url', url]);
  const hook = (eventId: string, messageId: string) => ({
    eventId,
    kind: 'rest' as const,
    messageId,
    owner: 'demo',
    url: 'http://127.0.0.1:9/refused',
    method: 'POST' as const,
    body: '{}',
    expiresAt: Date.now() + 60_000,
  });
  try {
    // Nothing listens on port 9: the attempt fails (logged), the item waits for its retry.
    await h.store.addWebhooks([hook('evt-refused', 'msg-a')]);
    h.webhooks.wake();
    for (let i = 0; i < 500 && (await h.store.listWebhookLog({ limit: 1 })).length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    await h.webhooks.stop();
    await h.store.addWebhooks([hook('evt-waiting', 'msg-b')]);

    const [log, logJ, logOther, pending, pendingJ] = await Promise.all([
      api('webhooks', 'log'),
      api('webhooks', 'log', '--message', 'msg-a', '--json'),
      api('webhooks', 'log', '--message', 'msg-b', '--json'),
      api('webhooks', 'pending'),
      api('webhooks', 'pending', '--json'),
    ]);
    assert.match(ok(log, 'webhooks log').stdout, /^AT\s+MESSAGEID\s+EVENTID\s+ATTEMPT\s+STATUS/m);
    assert.match(log.stdout, /msg-a\s+evt-refused\s+1\s+-\s+\d+\s+http:\/\/127\.0\.0\.1:9\/refused\s+\S/);
    const [entry] = json<{
      attempts: { eventId: string; attempt: number; status: number | null; error: string }[];
    }>(ok(logJ, 'webhooks log --json')).attempts;
    assert.deepEqual([entry.eventId, entry.attempt, entry.status], ['evt-refused', 1, null]);
    assert.match(entry.error, /ECONNREFUSED/);
    assert.deepEqual(json<{ attempts: unknown[] }>(ok(logOther, 'webhooks log --message')).attempts, []);
    assert.match(ok(pending, 'webhooks pending').stdout, /^pending: 2$/m);
    assert.match(
      pending.stdout,
      /^evt-refused\s+rest\s+msg-a\s+1\s+\d{4}-\S+\s+http:\/\/127\.0\.0\.1:9\/refused\s+.*ECONNREFUSED/m,
    );
    assert.match(pending.stdout, /^evt-waiting\s+rest\s+msg-b\s+0\s+\d{4}-\S+\s+\S+\s+-$/m);
    const p = json<{ total: number; pending: { eventId: string; attempts: number }[] }>(
      ok(pendingJ, 'webhooks pending --json'),
    );
    assert.deepEqual(
      [p.total, p.pending.map((w) => [w.eventId, w.attempts])],
      [
        2,
        [
          ['evt-refused', 1],
          ['evt-waiting', 0],
        ],
      ],
    );

    assert.match(
      ok(await api('groups', 'set', 'retail', '--description', 'shops', '--disable'), 'groups set').stdout,
      /^enabled\s+false$/m,
    );
    const set = json<{ group: string | null; smsCount: number | null }>(
      ok(
        await api('users', 'set', 'demo', '--group', 'retail', '--sms-count', '5', '--json'),
        'users set --group --json',
      ),
    );
    assert.deepEqual([set.group, set.smsCount], ['retail', 5]);
    assert.match(ok(await api('groups', 'list'), 'groups list').stdout, /^retail\s+false\s+1\s+shops$/m);
    assert.equal((await h.store.getUserByName('demo'))?.group, 'retail');
    const cleared = json<{ group: string | null; smsCount: number | null }>(
      ok(
        await api('users', 'set', 'demo', '--group', 'none', '--sms-count', 'unlimited', '--json'),
        'users set none/unlimited',
      ),
    );
    assert.deepEqual([cleared.group, cleared.smsCount], [null, null]);
    assert.deepEqual(
      json<{ groups: { id: string; users: number }[] }>(
        ok(await api('groups', 'list', '--json'), 'groups list --json'),
      ).groups.map((g) => [g.id, g.users]),
      [['retail', 0]],
    );
    assert.equal((await api('users', 'set', 'demo', '--sms-count', '-1')).code, 1);
  } finally {
    await h.stop();
  }
});
