// `type: telnyx` and `type: twilio` definitions: defaults filled in, mistakes named by key
// path (a public key that is not 32 bytes, an account SID that is not one, Twilio without the
// hookBaseUrl its signatures need, URLs), secrets hidden when shown and kept when sent back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidDefinitionError,
  keepProviderSecrets,
  redactConnector,
  validateConnector,
  type ConnectorConfig,
  ConfigError,
  parseConfig,
} from '../../src/config/index.js';
import { buildConnector } from '../../src/compose/connectors.js';
import { telnyxKeyPair } from '../../src/lib/provider-signatures.js';

const PUBLIC_KEY = telnyxKeyPair().publicKey;
const SID = 'AC0123456789abcdef0123456789abcdef';

const issues = (def: Record<string, unknown>): string[] => {
  try {
    validateConnector(def, 'prov');
    return [];
  } catch (err) {
    assert.ok(err instanceof InvalidDefinitionError);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
};

test('telnyx: defaults, and each mistake named by its key', () => {
  const k = validateConnector({ type: 'telnyx', apiKey: 'KEY_x', publicKey: PUBLIC_KEY }, 'prov');
  assert.deepEqual(k, {
    id: 'prov',
    type: 'telnyx',
    apiKey: 'KEY_x',
    publicKey: PUBLIC_KEY,
    baseUrl: 'https://api.telnyx.com',
    mediaUrlTtlS: 3600,
    window: 10,
    timeoutS: 10,
    dlrExpiryS: 86_400,
  });
  assert.deepEqual(issues({ type: 'telnyx', publicKey: PUBLIC_KEY }), ['connector.apiKey: is required']);
  assert.deepEqual(issues({ type: 'telnyx', apiKey: 'k', publicKey: 'c2hvcnQ=' }), [
    'connector.publicKey: an Ed25519 public key is 32 bytes in base64, got 5 bytes (Mission Control → Keys & Credentials → Public Key)',
  ]);
  assert.deepEqual(
    issues({
      type: 'telnyx',
      apiKey: 'k',
      publicKey: PUBLIC_KEY,
      hookBaseUrl: 'ftp://x',
      baseUrl: 'http://x/?q=1',
      windw: 3,
    }),
    [
      'connector.windw: unknown key (did you mean "window"?)',
      'connector.baseUrl: expected an http:// or https:// URL without a query, got "http://x/?q=1"',
      'connector.hookBaseUrl: expected an http:// or https:// URL without a query, got "ftp://x"',
    ],
  );
  assert.deepEqual(issues({ type: 'telnyx', apiKey: 'k', publicKey: PUBLIC_KEY, accountSid: SID }), [
    'connector.accountSid: unknown key',
  ]);
});

test('twilio: the account SID’s form; hookBaseUrl optional (media.publicUrl is its default)', () => {
  const k = validateConnector(
    { type: 'twilio', accountSid: SID, authToken: 'tok', hookBaseUrl: 'https://sms.example.com/hermod/' },
    'prov',
  );
  assert.equal(k.type, 'twilio');
  assert.equal(
    (k as { hookBaseUrl?: string }).hookBaseUrl,
    'https://sms.example.com/hermod',
    'trailing slash dropped',
  );
  assert.equal((k as { baseUrl: string }).baseUrl, 'https://api.twilio.com');
  assert.deepEqual(issues({ type: 'twilio', accountSid: 'AC123', authToken: 'tok' }), [
    'connector.accountSid: expected AC and 32 hex digits, got "AC123"',
  ]);
  const blind = validateConnector({ type: 'twilio', accountSid: SID, authToken: 'tok' }, 'prov');
  assert.equal((blind as { hookBaseUrl?: string }).hookBaseUrl, undefined, 'left to media.publicUrl');
  assert.deepEqual(
    issues({ type: 'twilio', accountSid: SID, authToken: 'tok', hookBaseUrl: 'http://h', mediaUrlTtlS: 5 }),
    ['connector.mediaUrlTtlS: expected an integer 60..604800, got 5'],
  );
});

test('secrets: hidden when shown, put back when the shown definition is sent back', () => {
  const tel = validateConnector({ type: 'telnyx', apiKey: 'KEY_secret', publicKey: PUBLIC_KEY }, 'prov');
  const shown = redactConnector(tel);
  assert.equal(shown.apiKey, '(hidden)');
  assert.equal(shown.publicKey, PUBLIC_KEY, 'a public key is not a secret');
  assert.equal(
    keepProviderSecrets(shown, tel as Extract<ConnectorConfig, { type: 'telnyx' }>).apiKey,
    'KEY_secret',
  );
  const tw = validateConnector(
    { type: 'twilio', accountSid: SID, authToken: 'tok-secret', hookBaseUrl: 'http://h' },
    'prov',
  );
  const shownTw = redactConnector(tw);
  assert.equal(shownTw.authToken, '(hidden)');
  assert.ok(!JSON.stringify(shownTw).includes('tok-secret'));
  const back = keepProviderSecrets(
    { ...shownTw, authToken: 'new-token' },
    tw as Extract<ConnectorConfig, { type: 'twilio' }>,
  );
  assert.equal(back.authToken, 'new-token', 'a new secret is taken as given');
});

test('the configuration file takes both types (the loader and the admin API share the checks)', () => {
  const config = parseConfig(
    {
      connectors: [
        {
          id: 'tx',
          type: 'telnyx',
          apiKey: 'KEY_x',
          publicKey: PUBLIC_KEY,
          hookBaseUrl: 'https://sms.example.com',
        },
        {
          id: 'tw',
          type: 'twilio',
          accountSid: SID,
          authToken: 'tok',
          hookBaseUrl: 'https://sms.example.com',
        },
      ],
      routes: [{ name: 'default', type: 'failover', connectors: ['tx', 'tw'] }],
    },
    { HERMOD_DATA_DIR: '/tmp' },
    'test',
  );
  assert.deepEqual(
    config.connectors.map((k) => [k.id, k.type]),
    [
      ['tx', 'telnyx'],
      ['tw', 'twilio'],
    ],
  );
  // Without hookBaseUrl: valid; the connector falls back to media.publicUrl when built.
  const fallback = parseConfig(
    {
      media: { publicUrl: 'https://sms.example.com/hermod' },
      connectors: [{ id: 'tw', type: 'twilio', accountSid: SID, authToken: 'tok' }],
      routes: [{ name: 'default', type: 'static', connectors: ['tw'] }],
    },
    { HERMOD_DATA_DIR: '/tmp' },
    'test',
  );
  assert.equal(fallback.media.publicUrl, 'https://sms.example.com/hermod');
  assert.equal((fallback.connectors[0] as { hookBaseUrl?: string }).hookBaseUrl, undefined);
  // Without either: refused, naming the key (the guessed listener address is not what Twilio calls).
  assert.throws(
    () =>
      parseConfig(
        {
          connectors: [{ id: 'tw', type: 'twilio', accountSid: SID, authToken: 'tok' }],
          routes: [{ name: 'default', type: 'static', connectors: ['tw'] }],
        },
        { HERMOD_DATA_DIR: '/tmp' },
        'test',
      ),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.issues.some(
        (i) =>
          i.path === 'connectors[0].hookBaseUrl' && /required unless media.publicUrl is set/.test(i.message),
      ),
  );
});

test('hookBaseUrl: its own when set, else the deps default (media.publicUrl) when built', () => {
  const own = validateConnector(
    { type: 'twilio', accountSid: SID, authToken: 'tok', hookBaseUrl: 'https://own.example' },
    'tw',
  );
  const blind = validateConnector({ type: 'telnyx', apiKey: 'k', publicKey: PUBLIC_KEY }, 'tx');
  const deps = { hookBaseUrl: 'https://sms.example.com/hermod' };
  const hookUrl = (k: unknown) => (k as { hookUrl: string | undefined }).hookUrl;
  assert.equal(hookUrl(buildConnector(own, deps)), 'https://own.example/v1/hooks/connectors/tw/twilio');
  assert.equal(
    hookUrl(buildConnector(blind, deps)),
    'https://sms.example.com/hermod/v1/hooks/connectors/tx/telnyx',
  );
  assert.equal(hookUrl(buildConnector(blind)), undefined, 'no default: none');
});
