// PROXY protocol v1 on the customer SMPP port (server.proxyProtocol): behind a TCP load
// balancer, the address its header names is the customer's, so settings.access.allowFrom and
// the bind lockout see the customer, not the balancer. Raw sockets play the balancer: a header
// naming an allowed address binds, one naming another address is refused, `UNKNOWN` falls back
// to the socket's own address, and a connection from a trusted balancer without a valid
// header is closed before any PDU is read. Untrusted peers are served directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandStatus } from '../../src/smpp/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { configuredHermod } from '../support/hermod.js';
import { RawPeer } from '../support/raw-peer.js';

const doc = (trusted: string[]) => ({
  server: { proxyProtocol: { trusted } },
  users: [
    { username: 'office', password: 'pw', balance: 10, rate: 0, access: { allowFrom: ['203.0.113.0/24'] } },
    { username: 'local', password: 'pw', balance: 10, rate: 0, access: { allowFrom: ['127.0.0.1'] } },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
});

/** A bind through a "balancer" that first sends `header` (raw bytes) on the same socket. */
async function bindVia(
  port: number,
  header: string,
  systemId: string,
): Promise<{ status: number | 'closed'; peer: RawPeer }> {
  const peer = await RawPeer.connect(port);
  peer.sendRaw(Buffer.from(header, 'latin1'));
  peer.send({
    command: 'bind_transceiver',
    sequenceNumber: 1,
    systemId,
    password: 'pw',
    interfaceVersion: 0x34,
  } as never);
  try {
    const resp = await peer.waitFor((p) => p.command === 'bind_transceiver_resp');
    return { status: resp.commandStatus, peer };
  } catch {
    return { status: 'closed', peer };
  }
}

test('PROXY v1 from a trusted balancer: the header’s address is the customer’s for allowFrom; bad headers close the connection', async () => {
  const h = await configuredHermod(doc(['127.0.0.1']));
  const peers: RawPeer[] = [];
  try {
    const allowed = await bindVia(h.smppPort, 'PROXY TCP4 203.0.113.9 127.0.0.1 40001 2775\r\n', 'office');
    peers.push(allowed.peer);
    assert.equal(allowed.status, CommandStatus.ESME_ROK, 'the header names an address in 203.0.113.0/24');
    const elsewhere = await bindVia(h.smppPort, 'PROXY TCP4 198.51.100.7 127.0.0.1 40002 2775\r\n', 'office');
    peers.push(elsewhere.peer);
    assert.equal(elsewhere.status, CommandStatus.ESME_RBINDFAIL);
    const notLocal = await bindVia(h.smppPort, 'PROXY TCP4 203.0.113.9 127.0.0.1 40003 2775\r\n', 'local');
    peers.push(notLocal.peer);
    assert.equal(
      notLocal.status,
      CommandStatus.ESME_RBINDFAIL,
      'the balancer’s own address no longer counts',
    );
    const unknown = await bindVia(h.smppPort, 'PROXY UNKNOWN\r\n', 'local');
    peers.push(unknown.peer);
    assert.equal(unknown.status, CommandStatus.ESME_ROK, 'UNKNOWN: the socket’s address applies');

    for (const bad of [
      'GET / HTTP/1.1\r\n',
      'PROXY TCP4 203.0.113.9 ::1 1 2\r\n',
      'PROXY TCP4 203.0.113.9 127.0.0.1 1 99999\r\n',
      '',
    ]) {
      const r = await bindVia(h.smppPort, bad, 'office');
      peers.push(r.peer);
      assert.equal(r.status, 'closed', `closed on ${JSON.stringify(bad)}`);
    }
    assert.ok(h.gateway.getConnector('sim'), 'the service is up');
  } finally {
    for (const p of peers) p.socket.destroy();
    await h.stop();
  }
});

test('PROXY v1: a peer that is not a trusted balancer is served directly, its header never believed; config checked naming the key', async () => {
  const h = await configuredHermod(doc(['10.9.9.9']));
  const peers: RawPeer[] = [];
  try {
    const direct = await bindVia(h.smppPort, '', 'local');
    peers.push(direct.peer);
    assert.equal(direct.status, CommandStatus.ESME_ROK, 'no header needed from an untrusted peer');
    const forged = await bindVia(h.smppPort, 'PROXY TCP4 203.0.113.9 127.0.0.1 40001 2775\r\n', 'office');
    peers.push(forged.peer);
    assert.notEqual(
      forged.status,
      CommandStatus.ESME_ROK,
      'a header from an untrusted peer is not an address',
    );
  } finally {
    for (const p of peers) p.socket.destroy();
    await h.stop();
  }
  const issues = (pp: unknown) => {
    try {
      parseConfig({ ...doc([]), server: { proxyProtocol: pp } }, { HERMOD_DATA_DIR: '/tmp' }, 'test');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(issues({ trusted: ['10.0.0.0/40'] }), [
    'server.proxyProtocol.trusted[0]: expected an IPv4/IPv6 address or CIDR range of a load balancer, got "10.0.0.0/40"',
  ]);
  assert.deepEqual(issues({}), [
    'server.proxyProtocol.trusted: is required: the addresses of the load balancers whose PROXY header is believed',
  ]);
});
