/**
 * Demo mode's MMS (`npm start`, docs/mms.md "Demo"): the MMSC simulator in-process on a
 * free loopback port, an `mm7` connector `mms` to it, the MMSC reporting back to this
 * Hermod's VASP endpoint once it listens, and a sample picture on loopback for the
 * banner's `media_urls` curl. Offline, like the rest of the demo.
 *
 * The demo's catch-all route becomes a failover route `[mms, sim]`: routing by capability
 * gives MMS to `mms` (the only one that carries MMS) and SMS to `sim` (`mms` carries none).
 */
import { createServer, type Server } from 'node:http';
import { deflateSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { MmscSimulator } from '../mm7/index.js';
import type { Config, Mm7ConnectorConfig } from '../config/index.js';

/** The demo connector's id and the credentials both ends use (loopback only, like demo/demo). */
export const DEMO_MMS = {
  connector: 'mms',
  vasp: { username: 'hermod-demo', password: 'demo-vasp' },
  mmsc: { username: 'mmsc-demo', password: 'demo-mmsc' },
  picture: '/hermod-demo.png',
} as const;

export interface DemoMms {
  readonly mmsc: MmscSimulator;
  /** The sample picture's URL (a PNG), for `media_urls`. */
  readonly pictureUrl: string;
  /** The configuration with the `mms` connector and its route. */
  withConnector(config: Config): Config;
  /** Points the MMSC's reports and inbound MMS at this Hermod's REST port. */
  attach(apiPort: number): void;
  close(): Promise<void>;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A 96×96 RGB PNG: a diagonal gradient in Hermod's colours (PNG spec §5, §11.2.2). */
export function demoPicture(size = 96): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3); // filter byte 0: none
    for (let x = 0; x < size; x++) {
      const t = (x + y) / (2 * size);
      row[1 + x * 3] = Math.round(30 + 60 * t);
      row[2 + x * 3] = Math.round(80 + 120 * t);
      row[3 + x * 3] = Math.round(160 + 90 * t);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function servePicture(host: string): Promise<{ url: string; server: Server }> {
  const png = demoPicture();
  const server = createServer((req, res) => {
    if (req.url !== DEMO_MMS.picture) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}${DEMO_MMS.picture}`, server };
}

export async function startDemoMms(host = '127.0.0.1'): Promise<DemoMms> {
  const mmsc = await MmscSimulator.start({
    host,
    port: 0,
    credentials: [DEMO_MMS.vasp],
    reportDelayMs: 500,
  });
  const picture = await servePicture(host).catch(async (err: unknown) => {
    await mmsc.close();
    throw err;
  });
  const connector: Mm7ConnectorConfig = {
    id: DEMO_MMS.connector,
    type: 'mm7',
    url: mmsc.url,
    username: DEMO_MMS.vasp.username,
    password: DEMO_MMS.vasp.password,
    vaspId: 'hermod-demo',
    vasId: 'demo',
    version: 'REL-6-MM7-1-4',
    timeoutS: 10,
    window: 10,
    deliveryReport: true,
    inbound: { ...DEMO_MMS.mmsc },
    maxBytes: 8 * 1024 * 1024,
    dlrExpiryS: 86_400,
  };
  return {
    mmsc,
    pictureUrl: picture.url,
    withConnector(config) {
      if (config.connectors.some((c) => c.id === connector.id)) return config;
      return {
        ...config,
        connectors: [...config.connectors, connector],
        // `mms` first: an SMS it refuses fails over to `sim` (see above), never the reverse.
        routes: config.routes.map((r, i) =>
          i === config.routes.length - 1 && r.connectors.includes('sim')
            ? { ...r, type: 'failover' as const, connectors: [connector.id, ...r.connectors] }
            : r,
        ),
      };
    },
    attach(apiPort) {
      mmsc.setVasp(`http://${host}:${apiPort}/v1/hooks/connectors/${connector.id}/mm7`, DEMO_MMS.mmsc);
    },
    async close() {
      await mmsc.close();
      await new Promise<void>((r) => {
        picture.server.close(() => r());
        picture.server.closeAllConnections();
      });
    },
  };
}
