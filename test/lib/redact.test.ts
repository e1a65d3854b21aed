import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskNumber, redactUrl } from '../../src/lib/redact.js';

test('request URLs as logs show them: secrets redacted, numbers masked, everything else untouched', () => {
  assert.equal(
    redactUrl('/v1/hooks/connectors/acme/dlr?token=s3cr3t&id=42'),
    '/v1/hooks/connectors/acme/dlr?token=%5Bredacted%5D&id=42',
  );
  assert.equal(
    redactUrl('/send?username=shop&password=pw&to=447700900123&content=hi'),
    '/send?username=shop&password=%5Bredacted%5D&to=4477******23&content=hi',
  );
  assert.equal(
    redactUrl('/v1/messages?to=%2B447700900123&limit=5'),
    '/v1/messages?to=%2B447*******23&limit=5',
  );
  assert.equal(
    redactUrl('/v1/messages?limit=5'),
    '/v1/messages?limit=5',
    'nothing to hide: the URL as it was',
  );
  assert.equal(redactUrl('/healthz'), '/healthz');
  assert.equal(maskNumber('12345'), '*****', 'a short code is hidden whole');
});
