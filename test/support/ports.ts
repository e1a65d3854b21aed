/** Free TCP ports on 127.0.0.1, for peers a test starts itself (Kannel) or must find nobody on. */
import net from 'node:net';

/** A port that was free a moment ago: nothing listens on it until the test starts something there. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
