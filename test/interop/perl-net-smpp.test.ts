// Perl Net::SMPP (Debian libnet-smpp-perl), an ESME we did not write, binds to our
// SmppServer and submits; we check what our server received and what Perl printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandStatus, SmppServer, type Pdu, type Session } from '../../src/smpp/index.js';
import { requireTool } from '../support/services.js';

const PERL = String.raw`
use strict; use warnings;
use Net::SMPP;
$| = 1;
my ($port, $password) = @ARGV;
my $smpp = Net::SMPP->new_transceiver('127.0.0.1', port => $port, system_id => 'perl', password => $password, timeout => 5)
  or do { print "bind_failed\n"; exit 0 };
my $r = $smpp->submit_sm(source_addr => 'PerlApp', destination_addr => '447700900123',
  short_message => 'hello from Net::SMPP', registered_delivery => 1) or die "no response";
print "submit status=$r->{status} message_id=$r->{message_id}\n";
my $e = $smpp->enquire_link() or die "no enquire_link_resp";
print "enquire status=$e->{status}\n";
my $u = $smpp->unbind() or die "no unbind_resp";
print "unbind status=$u->{status}\n";
`;

test('Net::SMPP binds, submits, enquires and unbinds against SmppServer', async (t) => {
  if (!requireTool(t, 'perl Net::SMPP', () => execFileSync('perl', ['-MNet::SMPP', '-e1']))) return;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-perl-'));
  const script = join(dir, 'esme.pl');
  writeFileSync(script, PERL);
  const server = new SmppServer({
    host: '127.0.0.1',
    port: 0,
    lockout: false,
    authenticate: (r) =>
      r.systemId === 'perl' && r.password === 'secret' ? true : CommandStatus.ESME_RINVPASWD,
  });
  const received: Pdu[] = [];
  server.on('session', (s: Session) =>
    s.on('pdu', (pdu: Pdu) => {
      received.push(pdu);
      s.respond(pdu, { messageId: 'h-0001' });
    }),
  );
  const port = await server.listen();
  const run = (password: string) =>
    new Promise<string>((resolve) => {
      // spawnSync would block our own event loop (the server); run it asynchronously.
      import('node:child_process').then(({ execFile }) =>
        execFile('perl', [script, String(port), password], { timeout: 20_000 }, (_err, stdout, stderr) =>
          resolve(stdout + stderr),
        ),
      );
    });
  const ok = await run('secret');
  assert.match(ok, /submit status=0 message_id=h-0001/);
  assert.match(ok, /enquire status=0/);
  assert.match(ok, /unbind status=0/);
  assert.equal(received.length, 1);
  const sm = received[0];
  assert.equal(sm.command, 'submit_sm');
  if (sm.command === 'submit_sm') {
    assert.equal(sm.sourceAddr, 'PerlApp');
    assert.equal(sm.destinationAddr, '447700900123');
    assert.equal(sm.shortMessage.toString(), 'hello from Net::SMPP');
    assert.equal(sm.registeredDelivery, 1);
  }
  // Net::SMPP returns a session even when the bind is refused; what it sends next must not run.
  const bad = await run('wrong');
  assert.match(bad, /submit status=4 /, 'ESME_RINVBNDSTS: not bound');
  assert.equal(received.length, 1, 'nothing from the refused bind was executed');
  await server.close();
});
