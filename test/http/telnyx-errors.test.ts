// Hermod's coded errors as /v2 answers them (src/http/telnyx/errors.ts): Telnyx's status and
// code where one means the same, Hermod's code otherwise, meta.hermod_code always.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { telnyxErrorOf } from '../../src/http/telnyx/index.js';
import { reject } from '../../src/gateway/index.js';
import { HttpProblem, problems } from '../../src/http/problem.js';

const one = (err: unknown) => {
  const { status, body } = telnyxErrorOf(err);
  return { status, ...body.errors[0] };
};

test('refusals of the gateway: Telnyx statuses (400/413 → 422), codes, pointers', () => {
  const dest = one(reject.invalidDestination('not a number'));
  assert.deepEqual([dest.status, dest.code, dest.source?.pointer], [422, '10002', '/to']);
  const long = one(reject.tooLong('300 parts'));
  assert.deepEqual(
    [long.status, long.code, long.meta.hermod_code, long.source?.pointer],
    [422, 'HERMOD_ERR_TOO_LONG', 'HERMOD_ERR_TOO_LONG', '/text'],
  );
  const denied = one(reject.forbidden.source('Other'));
  assert.deepEqual([denied.status, denied.code, denied.title], [403, '10010', 'Authorization failed']);
  assert.equal(denied.meta.hermod_code, 'HERMOD_ERR_FORBIDDEN_SOURCE');
  const broke = one(reject.noBalance());
  assert.deepEqual([broke.status, broke.code], [402, 'HERMOD_ERR_NO_BALANCE']);
  const slow = one(reject.throttled('http', 5));
  assert.deepEqual([slow.status, slow.code], [429, '10011']);
});

test('request-level errors keep their status; unknown errors are 500 10007 without their message', () => {
  assert.deepEqual([one(problems.unauthorized()).status, one(problems.unauthorized()).code], [401, '10009']);
  const big = one(new HttpProblem(413, 'HERMOD_ERR_BODY_TOO_LARGE', 'too big'));
  assert.equal(big.status, 413);
  const boom = one(new Error('secret internals'));
  assert.deepEqual([boom.status, boom.code, boom.meta.hermod_code], [500, '10007', 'HERMOD_ERR_INTERNAL']);
  assert.doesNotMatch(boom.detail, /secret/);
});
