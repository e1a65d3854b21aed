import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEMO_ADMIN_KEY, loadConfig, parseConfig } from '../../src/config/index.js';

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('no ConfigError');
}

test('no file: the demo configuration, listening on 127.0.0.1, overridable by environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  const c = loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_SMPP_PORT: '2776' }, dir);
  assert.equal(c.demo, true);
  assert.equal(c.server.host, '127.0.0.1');
  assert.equal(c.server.smppPort, 2776);
  assert.deepEqual(c.store, {
    type: 'sqlite',
    path: join(dir, 'hermod.db'),
    synchronous: 'NORMAL',
    groupCommitMs: 2,
  });
  const pgc = loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_DATABASE_URL: 'postgres://u@db/hermod' }, dir);
  assert.deepEqual(pgc.store, {
    type: 'postgres',
    url: 'postgres://u@db/hermod',
    schema: 'hermod',
    definitionsPollS: 5,
  });
  assert.deepEqual(
    c.users.map((u) => u.username),
    ['demo'],
  );
  assert.deepEqual(
    c.connectors.map((x) => [x.id, x.type]),
    [['sim', 'simulator']],
  );
  const up = loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_UPSTREAM_SMPP: 'smsc.example:2775' }, dir);
  assert.deepEqual(
    up.connectors.map((x) => [x.id, x.type]),
    [['upstream', 'smpp']],
  );
});

test('a YAML file: the seed’s three providers by prefix with failover and least cost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  const file = join(dir, 'hermod.yaml');
  writeFileSync(
    file,
    `server: { host: 0.0.0.0, smppPort: 2775 }
users:
  - { username: shop, password: s3cret, balance: 50, rate: 0.05 }
connectors:
  - { id: italysmpp, type: smpp, host: 193.37.38.46, port: 9900, systemId: hermod, password: pw }
  - { id: francesmpp, type: smpp, host: 10.0.0.2, port: 2775, systemId: hermod, window: 50, throughput: 100 }
  - { id: germanysmpp, type: smpp, host: 10.0.0.3, port: 2775, systemId: hermod }
  - { id: backup, type: simulator }
routes:
  - { name: italy, prefixes: ["39"], type: static, connectors: [italysmpp] }
  - { name: france, prefixes: ["+33"], type: failover, connectors: [francesmpp, backup] }
  - { name: germany, prefixes: ["49"], type: leastcost, connectors: [germanysmpp, backup], costs: { germanysmpp: { "49": 0.02 }, backup: { "49": 0.03 } } }
`,
  );
  const c = loadConfig({ HERMOD_CONFIG: file, HERMOD_DATA_DIR: dir }, dir);
  assert.equal(c.demo, false);
  assert.equal(c.server.host, '0.0.0.0');
  assert.deepEqual(
    c.routes.map((r) => [r.name, r.type, r.prefixes.join()]),
    [
      ['italy', 'static', '39'],
      ['france', 'failover', '33'],
      ['germany', 'leastcost', '49'],
    ],
  );
  const fr = c.connectors.find((x) => x.id === 'francesmpp');
  assert.equal(fr?.type === 'smpp' && fr.window, 50);
});

test('every mistake is reported with its key path, all at once', () => {
  const found = issues(() =>
    parseConfig({
      server: { smppPort: 'abc' },
      users: [
        { username: 'a', password: 'much-too-long' },
        { username: 'a', password: 'x' },
      ],
      connectors: [
        { id: 'k', type: 'smpp', host: 'h', port: 70000, systemId: 's', windw: 5 },
        { id: 'z', type: 'carrier-pigeon' },
      ],
      routes: [
        { name: 'r', type: 'static', connectors: ['nope', 'k'] },
        { name: 'lcr', type: 'leastcost', connectors: ['k'] },
      ],
    }),
  );
  const expect = [
    'server.smppPort: expected an integer 0..65535, got "abc"',
    'users[0].password: at most 8 characters (SMPP 3.4 password field)',
    'users[1].username: duplicate user "a"',
    'connectors[0].windw: unknown key (did you mean "window"?)',
    'connectors[0].port: expected an integer 1..65535, got 70000',
    'connectors[1].type: expected one of simulator, smpp, http, mm7, telnyx, twilio, got "carrier-pigeon"',
    'routes[0].connectors[0]: unknown connector "nope"',
    'routes[0].connectors: a static route has exactly one connector (use failover, roundrobin, weighted or leastcost)',
    'routes[1].costs: a leastcost route needs a cost table per connector',
  ];
  for (const e of expect) assert.ok(found.includes(e), `missing: ${e}\nfound:\n${found.join('\n')}`);
});

test('route filters, weighted routes and MO routes are parsed into the router’s shape', () => {
  const c = parseConfig({
    users: [
      { username: 'shop', password: 'pw' },
      { username: 'bank', password: 'pw' },
    ],
    connectors: [
      { id: 'a', type: 'simulator' },
      { id: 'b', type: 'simulator' },
    ],
    routes: [
      {
        name: 'otp',
        prefixes: ['+39'],
        destinationRegex: '^393',
        countries: ['it'],
        sources: ['ACME', 12345],
        sourceRegex: '^[A-Z]+$',
        users: ['bank'],
        groups: ['premium'],
        contentRegex: '/\\bcode\\b/i',
        tags: ['otp'],
        timeWindow: { hours: '22:00-06:00', days: ['fri-mon', 'wed'], timeZone: 'Europe/Rome' },
        type: 'weighted',
        connectors: ['a', 'b'],
        weights: { a: 70, b: 30 },
        rate: 0.05,
      },
      { name: 'all-day', timeWindow: { days: ['sat', 'sun'] }, type: 'static', connectors: ['b'] },
      { name: 'default', type: 'static', connectors: ['a'] },
    ],
    moRoutes: [
      { name: 'join', prefixes: ['12345'], contentRegex: '/^join/i', originConnectors: ['a'], user: 'shop' },
      { sourceRegex: '^44', url: 'https://hooks.example/mo', method: 'GET' },
      { url: 'http://hooks.example/all' },
    ],
  });
  assert.deepEqual(c.routes[0], {
    name: 'otp',
    type: 'weighted',
    connectors: ['a', 'b'],
    costs: {},
    prefixes: ['39'],
    destinationRegex: '^393',
    countries: ['IT'],
    sources: ['ACME', '12345'],
    sourceRegex: '^[A-Z]+$',
    users: ['bank'],
    groups: ['premium'],
    contentRegex: '/\\bcode\\b/i',
    timeWindow: { from: 22 * 60, to: 6 * 60, days: [0, 1, 3, 5, 6], timeZone: 'Europe/Rome' },
    tags: ['otp'],
    weights: { a: 70, b: 30 },
    rate: 0.05,
  });
  assert.deepEqual(c.routes[1].timeWindow, { from: 0, to: 0, days: [0, 6] }, 'no hours: the whole day');
  assert.deepEqual(c.moRoutes, [
    { name: 'join', prefixes: ['12345'], contentRegex: '/^join/i', originConnectors: ['a'], user: 'shop' },
    { prefixes: [], sourceRegex: '^44', url: 'https://hooks.example/mo', method: 'GET' },
    { prefixes: [], url: 'http://hooks.example/all', method: 'POST' },
  ]);
});

test('route filter mistakes are reported with their key paths', () => {
  const found = issues(() =>
    parseConfig({
      users: [{ username: 'shop', password: 'pw' }],
      connectors: [
        { id: 'a', type: 'simulator' },
        { id: 'b', type: 'simulator' },
      ],
      routes: [
        {
          name: 'bad',
          destinationRegex: '^(39',
          countries: ['Italy', 'XX'],
          users: ['nobody'],
          contentRegex: '/x/g',
          timeWindow: { hours: '8-20', days: ['funday'], timeZone: 'Mars/Olympus' },
          tags: [''],
          type: 'weighted',
          connectors: ['a', 'b'],
          weights: { a: 70, b: 0 },
        },
        { name: 'w', prefixes: ['44'], type: 'weighted', connectors: ['a'] },
        { name: 'x', prefixes: ['49'], type: 'static', connectors: ['a'], weights: { a: 1 } },
        { name: 'default', type: 'static', connectors: ['a'] },
        { name: 'bad', prefixes: ['33'], type: 'static', connectors: ['b'] },
      ],
      moRoutes: [
        { prefixes: ['1'], user: 'shop', url: 'https://x.example' },
        { prefixes: ['2'] },
        { prefixes: ['3'], url: 'ftp://x.example', originConnectors: ['nope'] },
        { prefixes: ['4'], user: 'shop', method: 'GET' },
        { name: 'catch-all', url: 'https://x.example' },
        { prefixes: ['5'], user: 'shop' },
      ],
    }),
  );
  const expect = [
    'routes[0].destinationRegex: not a valid regular expression: Invalid regular expression: /^(39/u: Unterminated group',
    'routes[0].countries[0]: expected an ISO 3166 alpha-2 country code such as "IT", got "Italy"',
    'routes[0].countries[1]: expected an ISO 3166 alpha-2 country code such as "IT", got "XX"',
    'routes[0].users[0]: unknown user "nobody"',
    'routes[0].contentRegex: not a valid regular expression: unsupported flag in /x/g (use i, m or s)',
    'routes[0].timeWindow.hours: expected "HH:MM-HH:MM" (24-hour clock, e.g. "08:00-20:00"), got "8-20"',
    'routes[0].timeWindow.days[0]: expected a day (sun, mon, tue, wed, thu, fri, sat) or a range like mon-fri, got "funday"',
    'routes[0].timeWindow.timeZone: unknown time zone "Mars/Olympus" (an IANA name such as "Europe/Rome" or "UTC")',
    'routes[0].tags[0]: expected a non-empty string, got ""',
    'routes[0].weights.b: expected a weight > 0, got 0',
    'routes[1].weights: a weighted route needs a weight per connector, e.g. { a: 70, b: 30 }',
    'routes[2].weights: only weighted routes have weights',
    'routes[4].name: duplicate route name "bad"',
    'routes[4]: never used: routes[3] ("default") has no filters and catches every message first (put the default route last)',
    'moRoutes[0]: has more than one of user, url and email: an MO route has one target',
    "moRoutes[1]: needs a target: user (a customer's SMPP bind), url (an HTTP webhook) or email (addresses; MMS to email)",
    'moRoutes[2].url: expected an http:// or https:// URL, got "ftp://x.example"',
    'moRoutes[2].originConnectors[0]: unknown connector "nope"',
    'moRoutes[3].method: only webhook (url) routes have a method',
    'moRoutes[5]: never used: moRoutes[4] ("catch-all") has no filters and catches every message first (put the default route last)',
  ];
  for (const e of expect) assert.ok(found.includes(e), `missing: ${e}\nfound:\n${found.join('\n')}`);
});

test('a bad environment override names the variable; bad YAML names the file', () => {
  assert.deepEqual(
    issues(() => loadConfig({ HERMOD_SMPP_PORT: '99999' }, '/nonexistent')),
    ['HERMOD_SMPP_PORT: expected an integer 0..65535, got "99999"'],
  );
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'users: [ {');
  const [msg] = issues(() => loadConfig({ HERMOD_CONFIG: file }, dir));
  assert.ok(msg.startsWith(file), msg);
});

test('hermod.example.yaml is valid', () => {
  const file = new URL('../../hermod.example.yaml', import.meta.url).pathname;
  const c = loadConfig({ HERMOD_CONFIG: file }, '/nonexistent');
  assert.deepEqual(
    c.routes.map((r) => r.name),
    ['otp', 'italy-promo', 'italy', 'france', 'germany', 'clinic', 'default'],
  );
  assert.deepEqual(c.routes.find((r) => r.name === 'france')?.weights, { francesmpp: 70, backup: 30 });
  assert.deepEqual(c.routes.find((r) => r.name === 'italy-promo')?.timeWindow, {
    from: 9 * 60,
    to: 20 * 60,
    days: [1, 2, 3, 4, 5, 6],
    timeZone: 'Europe/Rome',
  });
  assert.deepEqual(
    c.moRoutes.map((r) => r.user ?? r.url),
    ['https://shop.example/hermod/join', 'shop', 'clinic', 'https://clinic.example/sms-inbox'],
  );
});

test('connectors[].split: udh by default, sar or payload on request, anything else named by its key', () => {
  const c = parseConfig({
    connectors: [
      { id: 'a', type: 'simulator' },
      { id: 'b', type: 'simulator', split: 'sar' },
      { id: 'c', type: 'smpp', host: 'smsc.example', port: 2775, systemId: 'x', split: 'payload' },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['a'] }],
  });
  assert.deepEqual(
    c.connectors.map((x) => (x as { split?: string }).split),
    ['udh', 'sar', 'payload'],
  );
  const bad = issues(() =>
    parseConfig({
      connectors: [{ id: 'a', type: 'smpp', host: 'h', port: 1, systemId: 'x', split: 'udh16' }],
      routes: [{ name: 'default', type: 'static', connectors: ['a'] }],
    }),
  );
  assert.deepEqual(bad, ['connectors[0].split: expected one of udh, sar, payload, got "udh16"']);
});

test('users and groups: authorizations, value filters, default source, SMS quota and throughput, each problem with its key path', () => {
  const c = parseConfig({
    groups: [
      { id: 'retail', description: 'shops' },
      { id: 'paused', enabled: false },
    ],
    users: [
      {
        username: 'shop',
        password: 'pw',
        group: 'retail',
        authorizations: { longContent: false, sourceAddr: false },
        valueFilters: { destinationAddr: '^44' },
        defaults: { sourceAddr: 'Shop' },
        quota: { smsCount: 1000 },
        throughput: { http: 5, smpp: 20 },
      },
      { username: 'free', password: 'pw', quota: { smsCount: null } },
    ],
  });
  assert.deepEqual(c.groups, [
    { id: 'retail', description: 'shops', enabled: true },
    { id: 'paused', description: null, enabled: false },
  ]);
  const [shop, free] = c.users;
  assert.equal(shop.group, 'retail');
  assert.equal(shop.smsCount, 1000);
  assert.deepEqual(shop.settings, {
    authorizations: { longContent: false, sourceAddr: false },
    valueFilters: { destinationAddr: '^44' },
    defaults: { sourceAddr: 'Shop' },
    throughput: { http: 5, smpp: 20 },
  });
  assert.deepEqual([free.group, free.smsCount, free.settings], [null, null, {}]);

  assert.deepEqual(
    issues(() =>
      parseConfig({
        groups: [{ id: 'g' }, { id: 'g' }],
        users: [
          {
            username: 'bad',
            password: 'pw',
            group: 'nope',
            authorizations: { longContnet: false, priority: 'yes' },
            valueFilters: { content: '(' },
            defaults: { sourceAddr: 'x'.repeat(21) },
            quota: { smsCount: -1 },
            throughput: { smpp: 0 },
          },
        ],
      }),
    ),
    [
      'groups[1].id: duplicate group "g"',
      'users[0].group: unknown group "nope" (declare it under groups)',
      'users[0].authorizations.longContnet: unknown key (did you mean "longContent"?)',
      'users[0].authorizations.priority: expected true or false, got "yes"',
      'users[0].valueFilters.content: not a valid regular expression: Invalid regular expression: /(/: Unterminated group',
      'users[0].defaults.sourceAddr: at most 20 characters (SMPP source_addr)',
      'users[0].throughput.smpp: expected a number 0.1..∞, got 0',
      'users[0].quota.smsCount: expected an integer 0..∞, got -1',
    ],
  );
});

test('HTTP API and webhooks: defaults, per-user format and secret, MO webhook routes, every mistake named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  const demo = loadConfig({ HERMOD_DATA_DIR: dir }, dir);
  assert.equal(demo.server.httpPort, 1401);
  assert.equal(demo.httpApi.responseFormat, 'json');
  assert.deepEqual(
    demo.webhooks.allow,
    ['127.0.0.0/8', '::1', 'localhost'],
    'demo mode allows local receivers',
  );
  assert.equal(loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_HTTP_PORT: '0' }, dir).server.httpPort, 0);
  const c = parseConfig({
    server: { httpPort: 8401 },
    httpApi: { responseFormat: 'jasmin' },
    users: [
      { username: 'shop', password: 'pw', httpApi: { responseFormat: 'json' }, webhookSecret: 'whsec_abc' },
    ],
    moRoutes: [
      { prefixes: ['12345'], url: 'https://app.example/inbound', method: 'GET' },
      { prefixes: [], user: 'shop' },
    ],
    webhooks: { secret: 'global', retentionS: 60, backoff: { initialMs: 5 }, allow: ['10.0.0.0/8'] },
  });
  assert.equal(c.server.httpPort, 8401);
  assert.equal(c.httpApi.responseFormat, 'jasmin');
  assert.deepEqual(c.users[0].httpApi, { responseFormat: 'json' });
  assert.equal(c.users[0].webhookSecret, 'whsec_abc');
  assert.deepEqual(c.moRoutes, [
    { prefixes: ['12345'], url: 'https://app.example/inbound', method: 'GET' },
    { prefixes: [], user: 'shop' },
  ]);
  assert.deepEqual(c.webhooks, {
    allowPrivateNetworks: false,
    allow: ['10.0.0.0/8'],
    secret: 'global',
    retentionS: 60,
    backoff: { initialMs: 5, maxMs: 600_000 },
    timeoutS: 10,
    failoverAfter: 3,
    logKeep: 100_000,
    logRetentionS: 604_800,
    perHost: 10,
    perCustomer: 20,
    workers: 0,
  });
  assert.deepEqual(
    issues(() =>
      parseConfig({
        httpApi: { responseFormat: 'xml' },
        users: [{ username: 'u', password: 'p', httpApi: { format: 'json' } }],
        moRoutes: [{ prefixes: [], url: 'ftp://x' }, { prefixes: [] }],
        webhooks: { allow: ['10.0.0.0/33'], allowPrivateNetworks: 'yes' },
        server: { httpPort: 70000 },
      }),
    ),
    [
      'server.httpPort: expected an integer 0..65535, got 70000',
      'httpApi.responseFormat: expected one of json, jasmin, got "xml"',
      'webhooks.allow[0]: expected a CIDR, an address or a host name, got "10.0.0.0/33"',
      'webhooks.allowPrivateNetworks: expected true or false, got "yes"',
      'users[0].httpApi.format: unknown key',
      'moRoutes[0].url: expected an http:// or https:// URL, got "ftp://x"',
      "moRoutes[1]: needs a target: user (a customer's SMPP bind), url (an HTTP webhook) or email (addresses; MMS to email)",
    ],
  );
});

test('REST API settings: apiPort (and HERMOD_API_PORT), users[].apiKeys, alert thresholds with defaults; mistakes named', () => {
  const demo = loadConfig({ HERMOD_DATA_DIR: '/tmp/x' }, '/nonexistent');
  assert.equal(demo.server.apiPort, 8080);
  assert.deepEqual(demo.users[0].apiKeys, ['hk_demo_0000000000000000']);
  assert.deepEqual(demo.alerts, {
    deliveryRateMin: 0.95,
    errorRateMax: 0.05,
    queueBacklogMax: 10_000,
    spendMax: null,
    connectorDownS: 60,
    windowS: 300,
    minSamples: 20,
    webhookUrl: null,
  });
  assert.equal(loadConfig({ HERMOD_API_PORT: '0' }, '/nonexistent').server.apiPort, 0);
  const c = parseConfig({
    server: { apiPort: 9090 },
    users: [{ username: 'a', password: 'p', apiKeys: ['k'.repeat(16)] }],
    alerts: { spendMax: 25, windowS: 60 },
  });
  assert.equal(c.server.apiPort, 9090);
  assert.deepEqual(c.users[0].apiKeys, ['k'.repeat(16)]);
  assert.equal(c.alerts.spendMax, 25);
  assert.equal(c.alerts.windowS, 60);
  assert.deepEqual(
    issues(() =>
      parseConfig(
        {
          server: { apiPort: -1 },
          users: [{ username: 'a', password: 'p', apiKeys: ['short'] }],
          alerts: { deliveryRateMin: 2, windw: 1, webhookUrl: 'ftp://x' },
        },
        { HERMOD_API_PORT: 'x' },
      ),
    ),
    [
      'server.apiPort: expected an integer 0..65535, got -1',
      'HERMOD_API_PORT: expected an integer 0..65535, got "x"',
      'users[0].apiKeys[0]: expected a string of at least 16 characters',
      'alerts.windw: unknown key (did you mean "windowS"?)',
      'alerts.deliveryRateMin: expected a number 0..1, got 2',
      'alerts.webhookUrl: expected an http(s) URL, got "ftp://x"',
    ],
  );
});

test('admin keys: admin.keys plus HERMOD_ADMIN_KEY; the demo key only in demo mode; short keys refused; the API port', () => {
  const doc = {
    connectors: [{ id: 's', type: 'simulator' }],
    routes: [{ name: 'r', connectors: ['s'] }],
    admin: { keys: ['a-configured-admin-key'] },
  };
  const c = parseConfig(doc, { HERMOD_ADMIN_KEY: 'an-environment-admin-key' });
  assert.deepEqual(c.admin.keys, ['a-configured-admin-key', 'an-environment-admin-key']);
  assert.equal(c.server.apiPort, 8080);
  assert.equal(parseConfig({ ...doc, server: { apiPort: 9090 } }).server.apiPort, 9090);
  assert.equal(parseConfig(doc, { HERMOD_API_PORT: '0' }).server.apiPort, 0);
  assert.deepEqual(
    parseConfig({ connectors: doc.connectors, routes: doc.routes }).admin.keys,
    [],
    'no keys: the admin API is closed',
  );
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  assert.deepEqual(loadConfig({ HERMOD_DATA_DIR: dir }, dir).admin.keys, [DEMO_ADMIN_KEY]);
  assert.deepEqual(
    loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_ADMIN_KEY: 'my-own-demo-admin-key' }, dir).admin.keys,
    ['my-own-demo-admin-key'],
    'a key given replaces the demo key',
  );
  assert.deepEqual(
    issues(() =>
      parseConfig(
        { ...doc, admin: { keys: ['short', 7] } },
        { HERMOD_ADMIN_KEY: 'tiny', HERMOD_API_PORT: 'x' },
      ),
    ),
    [
      'HERMOD_API_PORT: expected an integer 0..65535, got "x"',
      'admin.keys[0]: expected a string of at least 16 characters, got 5 characters',
      'admin.keys[1]: expected a string of at least 16 characters, got 7',
      'HERMOD_ADMIN_KEY: expected at least 16 characters, got 4',
    ],
  );
});

test('connectors[] (smpp): bindType, TON/NPI and reconnectDelayS with defaults; mistakes named by their key', () => {
  const route = [{ name: 'default', type: 'static', connectors: ['a'] }];
  const smsc = { id: 'a', type: 'smpp', host: 'h', port: 1, systemId: 'x' };
  const [d] = parseConfig({ connectors: [smsc], routes: route }).connectors;
  assert.ok(d.type === 'smpp');
  assert.equal(d.bindType, 'transceiver');
  assert.deepEqual(
    [d.sourceTon, d.sourceNpi, d.destTon, d.destNpi],
    [undefined, undefined, undefined, undefined],
    'detected per message',
  );
  assert.deepEqual(d.reconnectDelayS, { min: 0.5, max: 30 });
  const [s] = parseConfig({
    connectors: [
      { ...smsc, bindType: 'transmitter', sourceTon: 0, destNpi: 1, reconnectDelayS: { min: 2, max: 60 } },
    ],
    routes: route,
  }).connectors;
  assert.ok(s.type === 'smpp');
  assert.deepEqual(
    [s.bindType, s.sourceTon, s.destNpi, s.reconnectDelayS],
    ['transmitter', 0, 1, { min: 2, max: 60 }],
  );
  const bad = issues(() =>
    parseConfig({
      connectors: [
        { ...smsc, bindType: 'outbind', sourceTon: 7, destNpi: 'isdn', reconnectDelayS: { min: 10, max: 5 } },
      ],
      routes: route,
    }),
  );
  assert.deepEqual(
    bad.sort(),
    [
      'connectors[0].bindType: expected one of transceiver, transmitter, receiver, got "outbind"',
      'connectors[0].destNpi: expected an integer 0..18, got "isdn"',
      'connectors[0].reconnectDelayS.max: must be at least reconnectDelayS.min (10)',
      'connectors[0].sourceTon: expected an integer 0..6, got 7',
    ].sort(),
  );
});

test('connectors[].dataCoding: 0 by default, 1 or 3 on request, anything else named by its key', () => {
  const route = [{ name: 'default', type: 'static', connectors: ['a'] }];
  const smsc = { id: 'a', type: 'smpp', host: 'h', port: 1, systemId: 'x' };
  const codings = (dataCoding?: unknown) =>
    parseConfig({
      connectors: [{ ...smsc, ...(dataCoding === undefined ? {} : { dataCoding }) }],
      routes: route,
    }).connectors.map((c) => (c.type === 'smpp' ? c.dataCoding : -1));
  assert.deepEqual([codings(), codings(1), codings(3)], [[0], [1], [3]]);
  for (const bad of [8, 2, '3'])
    assert.deepEqual(
      issues(() => codings(bad)),
      [
        `connectors[0].dataCoding: expected 0 (SMSC default alphabet, GSM 03.38), 1 (IA5/ASCII) or 3 (Latin-1), got ${JSON.stringify(bad)}; UCS-2 (8) is chosen per message when the text needs it`,
      ],
    );
});

test('connectors[].bindType receiver and receiver: { port }: a receive-only connector is never routed to; a separate receiver session goes with a transmitter', () => {
  const smsc = { type: 'smpp', host: 'h', port: 2775, systemId: 'x' };
  const c = parseConfig({
    connectors: [
      { ...smsc, id: 'tx', receiver: { port: 2776 } },
      { ...smsc, id: 'tx2', bindType: 'transmitter', receiver: {} },
      { ...smsc, id: 'rx', bindType: 'receiver' },
    ],
    routes: [{ name: 'default', type: 'static', connectors: ['tx'] }],
  });
  assert.deepEqual(
    c.connectors.map((k) => (k.type === 'smpp' ? [k.id, k.bindType, k.receiver] : [])),
    [
      ['tx', 'transmitter', { port: 2776 }],
      ['tx2', 'transmitter', {}],
      ['rx', 'receiver', undefined],
    ],
  );
  const bad = issues(() =>
    parseConfig({
      connectors: [
        { ...smsc, id: 'a', bindType: 'transceiver', receiver: { port: 0 } },
        { ...smsc, id: 'b', receiver: { address: 'other' } },
        { ...smsc, id: 'rx', bindType: 'receiver' },
      ],
      routes: [{ name: 'default', type: 'failover', connectors: ['a', 'rx'] }],
    }),
  );
  assert.deepEqual(
    bad.sort(),
    [
      'connectors[0].receiver: a separate receiver session goes with bindType transmitter, got bindType "transceiver" (leave bindType out or set it to transmitter)',
      'connectors[0].receiver.port: expected an integer 1..65535, got 0',
      'connectors[1].receiver.address: unknown key',
      'routes[0].connectors[1]: connector "rx" binds as receiver only (bindType receiver) and cannot send; route to a transmitter or transceiver',
    ].sort(),
  );
});

test('connectors[].dlrExpiryS: a day by default (Jasmin dlr_expiry), 0 = wait for ever, a negative or non-number named by its key', () => {
  const route = [{ name: 'default', type: 'static', connectors: ['a'] }];
  const smsc = { id: 'a', type: 'smpp', host: 'h', port: 1, systemId: 'x' };
  const expiry = (dlrExpiryS?: unknown) =>
    parseConfig({
      connectors: [{ ...smsc, ...(dlrExpiryS === undefined ? {} : { dlrExpiryS }) }],
      routes: route,
    }).connectors.map((c) => (c.type === 'smpp' ? c.dlrExpiryS : -1));
  assert.deepEqual([expiry(), expiry(0), expiry(600)], [[86_400], [0], [600]]);
  assert.deepEqual(
    issues(() => expiry(-1)),
    ['connectors[0].dlrExpiryS: expected a number 0..∞, got -1'],
  );
  assert.deepEqual(
    issues(() => expiry('1d')),
    ['connectors[0].dlrExpiryS: expected a number 0..∞, got "1d"'],
  );
});

test('store.groupCommitMs, store.synchronous and parkedReceiptRetentionS: defaults, values, mistakes named by their key', () => {
  const d = parseConfig({});
  assert.equal(d.store.type === 'sqlite' && d.store.groupCommitMs, 2);
  assert.equal(d.store.type === 'sqlite' && d.store.synchronous, 'NORMAL');
  assert.equal(d.parkedReceiptRetentionS, 259_200);
  const c = parseConfig({ store: { groupCommitMs: 0, synchronous: 'FULL' }, parkedReceiptRetentionS: 3600 });
  assert.deepEqual(c.store.type === 'sqlite' && [c.store.groupCommitMs, c.store.synchronous], [0, 'FULL']);
  assert.equal(c.parkedReceiptRetentionS, 3600);
  const bad = issues(() =>
    parseConfig({ store: { groupCommitMs: 500, synchronous: 'OFF' }, parkedReceiptRetentionS: 0 }),
  );
  assert.equal(bad.length, 3, bad.join('\n'));
  assert.ok(
    bad.some((i) => i.startsWith('store.groupCommitMs: ')),
    bad.join('\n'),
  );
  assert.ok(
    bad.some((i) => i.startsWith('store.synchronous: ')),
    bad.join('\n'),
  );
  assert.ok(bad.includes('$.parkedReceiptRetentionS: expected a number 1..∞, got 0'), bad.join('\n'));
});

test('optOut: the carriers’ keywords and plain replies by default; numbers of their own override any list, reply or account; every mistake named', () => {
  const d = parseConfig({});
  assert.deepEqual(d.optOut.keywords.help, ['HELP', 'INFO']);
  assert.ok(d.optOut.keywords.stop.includes('UNSUBSCRIBE'));
  assert.match(d.optOut.replies.stop ?? '', /unsubscribed/);
  assert.deepEqual(d.optOut.numbers, {});
  const c = parseConfig({
    optOut: {
      keywords: { help: ['aide', 'Help'] },
      replies: { start: null },
      account: 'shop',
      numbers: {
        12345: { keywords: { stop: ['arret'] }, replies: { help: 'ACME: reply ARRET to stop.' } },
        '+447700900999': { account: 'other' },
      },
    },
  });
  assert.deepEqual(c.optOut.keywords.help, ['AIDE', 'HELP'], 'upper case');
  assert.equal(c.optOut.replies.start, null, 'null: no reply');
  assert.equal(c.optOut.account, 'shop');
  assert.deepEqual(c.optOut.numbers['12345'], {
    keywords: { stop: ['ARRET'] },
    replies: { help: 'ACME: reply ARRET to stop.' },
  });
  assert.deepEqual(c.optOut.numbers['+447700900999'], { account: 'other' });
  assert.deepEqual(
    issues(() =>
      parseConfig({
        optOut: {
          keywords: { stop: ['STOP', ' '], start: ['STOP', 'stop  all'], quit: ['Q'] },
          replies: { help: '', stop: 42 },
          numbers: { 'no spaces please': {}, 777: { keywords: { help: ['STOP'] }, acount: 'x' } },
        },
      }),
    ),
    [
      'optOut.keywords.quit: unknown key',
      'optOut.keywords.stop[1]: expected a keyword of 1 to 20 characters, got " "',
      'optOut.replies.stop: expected a text of 1 to 1600 characters, or null for no reply, got 42',
      'optOut.replies.help: expected a text of 1 to 1600 characters, or null for no reply, got ""',
      'optOut.keywords.start: "STOP" is also a stop keyword',
      'optOut.numbers.777.acount: unknown key (did you mean "account"?)',
      'optOut.numbers.777.keywords.help: "STOP" is also a stop keyword',
      'optOut.numbers.no spaces please: expected a number or short code as an SMS names it (digits, an optional +, or an alphanumeric sender of at most 20 characters)',
    ],
  );
});

test('moRoutes[].countries: the sender’s ISO country codes, upper-cased; a code that is none named by its key', () => {
  const c = parseConfig({
    users: [{ username: 'uk', password: 'pw' }],
    moRoutes: [{ prefixes: ['12345'], countries: ['gb', 'IE'], user: 'uk' }],
  });
  assert.deepEqual(c.moRoutes[0].countries, ['GB', 'IE']);
  assert.deepEqual(
    issues(() =>
      parseConfig({
        users: [{ username: 'uk', password: 'pw' }],
        moRoutes: [{ prefixes: [], countries: ['UK'], user: 'uk' }],
      }),
    ),
    ['moRoutes[0].countries[0]: expected an ISO 3166 alpha-2 country code such as "IT", got "UK"'],
  );
});

test('billing.refund: every flag defaults to true; each can be turned off; mistakes named by key path', () => {
  const users = [{ username: 'a', password: 'p' }];
  assert.deepEqual(parseConfig({ users }).billing, {
    refund: { rejected: true, failed: true, expired: true },
  });
  assert.deepEqual(parseConfig({ users, billing: { refund: { expired: false } } }).billing.refund, {
    rejected: true,
    failed: true,
    expired: false,
  });
  assert.deepEqual(
    parseConfig({ users, billing: { refund: { rejected: false, failed: false } } }).billing.refund,
    { rejected: false, failed: false, expired: true },
  );
  assert.deepEqual(
    issues(() => parseConfig({ users, billing: { refund: { failed: 'yes', expird: true } } })),
    [
      'billing.refund.expird: unknown key (did you mean "expired"?)',
      'billing.refund.failed: expected true or false, got "yes"',
    ],
  );
  assert.deepEqual(
    issues(() => parseConfig({ users, billing: { refund: true, rfund: 1 } })),
    ['billing.rfund: unknown key (did you mean "refund"?)', 'billing.refund: expected a mapping, got true'],
  );
});

test('failover: queued messages move after 5 s down by default, in batches of 500, after 3 transient failures on a down connector; mistakes named by key path', () => {
  const users = [{ username: 'a', password: 'p' }];
  assert.deepEqual(parseConfig({ users }).failover, {
    moveQueued: true,
    downGraceS: 5,
    batch: 500,
    afterTransientFailures: 3,
  });
  assert.deepEqual(
    parseConfig({ users, failover: { downGraceS: 0.5, moveQueued: false, afterTransientFailures: 0 } })
      .failover,
    { moveQueued: false, downGraceS: 0.5, batch: 500, afterTransientFailures: 0 },
  );
  assert.deepEqual(
    issues(() => parseConfig({ users, failover: { downGraceS: -1, batch: 1.5, downGrace: 3 } })),
    [
      'failover.downGrace: unknown key (did you mean "downGraceS"?)',
      'failover.downGraceS: expected a number 0..∞, got -1',
      'failover.batch: expected an integer 1..∞, got 1.5',
    ],
  );
});

test('server.host is checked with the rest (it was read after the issues were thrown); a duplicate user is named even when it is incomplete', () => {
  const issues = (doc: unknown, env: NodeJS.ProcessEnv = {}) => {
    try {
      parseConfig(doc, env);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.issues.map((i) => i.path);
    }
    return [];
  };
  assert.deepEqual(issues({ server: { host: 42 } }), ['server.host']);
  assert.deepEqual(issues({ server: { host: 42 } }, { HERMOD_BIND: '127.0.0.1' }), []);
  assert.deepEqual(
    issues({
      users: [
        { username: 'shop', password: 'pw' },
        { username: 'shop', password: 'pw' },
      ],
    }),
    ['users[1].username'],
  );
  assert.deepEqual(issues({ users: [{ username: 'shop', password: 'pw' }, { username: 'shop' }] }), [
    'users[1].username',
    'users[1].password',
  ]);
  assert.deepEqual(
    issues(
      { server: { apiPort: 'x' } },
      { HERMOD_SMPP_PORT: '70000', HERMOD_HTTP_PORT: '1', HERMOD_API_PORT: 'no' },
    ),
    ['HERMOD_SMPP_PORT', 'server.apiPort', 'HERMOD_API_PORT'],
  );
});

test('demo mode seeds its sample data unless HERMOD_SAMPLE_DATA=false; a configured Hermod never does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cfg-'));
  assert.equal(loadConfig({ HERMOD_DATA_DIR: dir }, dir).sampleData, true);
  assert.equal(loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_SAMPLE_DATA: 'false' }, dir).sampleData, false);
  assert.deepEqual(
    issues(() => loadConfig({ HERMOD_DATA_DIR: dir, HERMOD_SAMPLE_DATA: 'no' }, dir)),
    ['HERMOD_SAMPLE_DATA: expected true or false, got "no"'],
  );
  assert.equal(parseConfig({}, { HERMOD_DATA_DIR: dir }).sampleData, false);
});
