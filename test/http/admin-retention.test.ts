// An account's own retention ages (issue 21) through the admin API and `hermod users set`:
// PATCH /v1/admin/users/{name} takes settings.retention, the user's view shows it, a
// deletion age shorter than the redaction age is refused naming the field, and the CLI's
// --redact-after-days / --delete-after-days ("default" for the operator's) set the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_ADMIN_KEY } from '../../src/config/index.js';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

const admin = { authorization: `Bearer ${DEMO_ADMIN_KEY}` };

test("PATCH /v1/admin/users/{name} settings.retention and hermod users set --delete-after-days: an account's own ages", async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const patch = (retention: Record<string, unknown>) =>
    h.api.inject({
      method: 'PATCH',
      url: '/v1/admin/users/demo',
      headers: admin,
      payload: { settings: { retention } },
    });
  const before = await h.api.inject({ method: 'GET', url: '/v1/admin/users/demo', headers: admin });
  assert.deepEqual(JSON.parse(before.body).settings.retention, {
    redactAfterDays: null,
    deleteAfterDays: null,
  });

  const set = await patch({ redactAfterDays: 7, deleteAfterDays: 30 });
  assert.equal(set.statusCode, 200, set.body);
  assert.deepEqual(JSON.parse(set.body).settings.retention, { redactAfterDays: 7, deleteAfterDays: 30 });
  // Merged: naming one age keeps the other.
  const merged = await patch({ deleteAfterDays: 60 });
  assert.deepEqual(JSON.parse(merged.body).settings.retention, { redactAfterDays: 7, deleteAfterDays: 60 });
  const bad = await patch({ deleteAfterDays: 3 });
  assert.equal(bad.statusCode, 400);
  assert.equal(JSON.parse(bad.body).code, 'HERMOD_ERR_INVALID_ACCOUNT');
  assert.match(
    JSON.parse(bad.body).detail,
    /settings\.retention\.deleteAfterDays must be at least redactAfterDays \(7\)/,
  );
  assert.equal((await patch({ deleteAfterDays: -1 })).statusCode, 400);
  // What the purger reads: the store's user.
  assert.deepEqual((await h.store.getUserByName('demo'))?.settings.retention, {
    redactAfterDays: 7,
    deleteAfterDays: 60,
  });

  const url = `http://127.0.0.1:${h.apiPort}`;
  const cli = json<{ settings: { retention: unknown } }>(
    ok(
      await hermod([
        'users',
        'set',
        'demo',
        '--redact-after-days',
        'default',
        '--delete-after-days',
        '0',
        '--url',
        url,
        '--json',
      ]),
      'users set --delete-after-days',
    ),
  );
  assert.deepEqual(cli.settings.retention, { redactAfterDays: null, deleteAfterDays: 0 });
  const refused = await hermod(['users', 'set', 'demo', '--delete-after-days', 'soon', '--url', url]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /whole number of days, 0 \(never\) or "default"/);
});

// Regression: with the API's type coercion, the schema's anyOf [null, integer] read 0 as null,
// so smsCount 0 (no more parts) became unlimited and maxBinds 0 (refused: minimum 1) no cap.
test('PATCH /v1/admin/users/{name}: smsCount 0 stays 0, maxBinds 0 is refused, null stays null', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const patch = (payload: object) =>
    h.api.inject({ method: 'PATCH', url: '/v1/admin/users/demo', headers: admin, payload });
  const zero = await patch({ smsCount: 0 });
  assert.equal(zero.statusCode, 200, zero.body);
  assert.equal(JSON.parse(zero.body).smsCount, 0);
  assert.equal(JSON.parse((await patch({ smsCount: null })).body).smsCount, null);
  assert.equal((await patch({ settings: { access: { maxBinds: 0 } } })).statusCode, 400);
  const none = await patch({ settings: { access: { maxBinds: null } } });
  assert.equal(JSON.parse(none.body).settings.access.maxBinds, null);
});
