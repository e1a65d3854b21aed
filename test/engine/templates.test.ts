// The template parser and renderer (pure): placeholders, defaults, refusals at save naming
// the placeholder, braces, unicode, and a missing field that skips the recipient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemplate, render } from '../../src/engine/templates.js';

const ada = { msisdn: '447700900001', firstName: 'Ada', lastName: 'Lovelace', fields: { code: 'A1' } };

test('placeholders are replaced by the recipient’s fields; the number has its +', () => {
  const t = parseTemplate('Hi {{first_name}} {{last_name}}, code {{custom.code}} for {{number}}.');
  assert.deepEqual(t.fields, ['first_name', 'last_name', 'custom.code', 'number']);
  assert.deepEqual(render(t, ada), { ok: true, text: 'Hi Ada Lovelace, code A1 for +447700900001.' });
});

test('a default is used when the field is absent or empty; an empty default is allowed', () => {
  const t = parseTemplate('Hello {{first_name|there}}{{ last_name |}}!');
  assert.deepEqual(render(t, { msisdn: '1' }), { ok: true, text: 'Hello there!' });
  assert.deepEqual(render(t, { msisdn: '1', firstName: '' }), { ok: true, text: 'Hello there!' });
  assert.deepEqual(render(t, { msisdn: '1', firstName: 'Bo', lastName: null }), {
    ok: true,
    text: 'Hello Bo!',
  });
  // A default keeps spaces and bars after the first as written.
  assert.deepEqual(render(parseTemplate('{{custom.x|a | b}}'), { msisdn: '1' }), { ok: true, text: 'a | b' });
});

test('a missing field without a default skips the recipient, naming the field (never a hole)', () => {
  const t = parseTemplate('Your code: {{custom.code}}, {{first_name}}');
  assert.deepEqual(render(t, { msisdn: '1', firstName: 'Ada' }), { ok: false, missing: 'custom.code' });
  assert.deepEqual(render(t, { msisdn: '1', fields: { code: 'X' } }), { ok: false, missing: 'first_name' });
});

test('unknown placeholders and unclosed braces are refused at save, naming them', () => {
  assert.throws(() => parseTemplate('Hi {{firstname}}'), {
    code: 'HERMOD_ERR_TEMPLATE',
    message: /unknown placeholder \{\{firstname\}\}/,
  });
  assert.throws(() => parseTemplate('Hi {{custom.}}'), /unknown placeholder \{\{custom\.\}\}/);
  assert.throws(() => parseTemplate('Hi {{custom.a b}}'), /unknown placeholder/);
  assert.throws(() => parseTemplate('Hi {{}}'), /unknown placeholder \{\{\}\}/);
  assert.throws(() => parseTemplate('Hi {{first_name'), /unclosed placeholder at character 4/);
  assert.throws(() => parseTemplate('{{first_name {{last_name}}'), /unclosed placeholder at character 1/);
  assert.throws(() => parseTemplate('{{first_name|a{b}}'), /may not contain braces/);
});

test('single braces, a lone }} and text without placeholders are plain text', () => {
  for (const text of ['{ not a placeholder }', 'a } b', 'done }}', 'JSON: {"a":1}', ''])
    assert.deepEqual(render(parseTemplate(text), ada), { ok: true, text });
  assert.deepEqual(parseTemplate('no placeholders').fields, []);
});

test('unicode in text, values and defaults is kept as is', () => {
  const t = parseTemplate('Привет {{first_name|друг}} 👋 {{custom.emoji}}');
  assert.deepEqual(render(t, { msisdn: '1', fields: { emoji: '🎉' } }), {
    ok: true,
    text: 'Привет друг 👋 🎉',
  });
  assert.deepEqual(render(t, { msisdn: '1', firstName: 'Zoë', fields: { emoji: 'é' } }), {
    ok: true,
    text: 'Привет Zoë 👋 é',
  });
  // A value that looks like a placeholder is sent as the customer's data, not expanded again.
  assert.deepEqual(render(parseTemplate('{{first_name}}'), { msisdn: '1', firstName: '{{last_name}}' }), {
    ok: true,
    text: '{{last_name}}',
  });
});
