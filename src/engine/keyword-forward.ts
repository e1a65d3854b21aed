/**
 * The forward service's call: an MO posted as JSON to the account's URL, whose answer is
 * the reply. Every URL goes through the core's SSRF guard, when the service is saved
 * (`UrlGuard.check`) and on the address actually connected to (`UrlGuard.lookup`); the call
 * has a deadline and the answer a size cap, so a slow or huge answer cannot hold the
 * inbox's follower (the next MOs wait behind it).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { UrlGuard } from '../gateway/index.js';

export interface ForwardOptions {
  /** The whole call, connect to last byte (default 5000 ms). */
  timeoutMs?: number;
  /** The answer's body at most (default 4096 bytes). */
  maxBytes?: number;
}

/** What the receiver gets: the MO, with its id (the same on a repeated call, to drop it). */
export interface ForwardedMo {
  id: string;
  from: string;
  to: string;
  text: string;
  keyword: string;
  receivedAt: string;
}

export type ForwardResult = { ok: true; reply: string } | { ok: false; error: string };

export class KeywordForwarder {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(
    private readonly guard: UrlGuard,
    opts: ForwardOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxBytes = opts.maxBytes ?? 4096;
  }

  /** Throws RefusedUrlError when the guard refuses it (a service's URL, when saved). */
  async check(url: string): Promise<void> {
    await this.guard.check(url);
  }

  /**
   * Posts the MO; the reply is a 2xx answer's `text/plain` body, or the `reply` string of a
   * JSON body (`{"reply": "..."}`); an empty one means no reply. Never throws.
   */
  async forward(url: string, mo: ForwardedMo): Promise<ForwardResult> {
    let target: URL;
    try {
      target = await this.guard.check(url);
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
    const payload = Buffer.from(JSON.stringify(mo));
    return new Promise<ForwardResult>((resolve) => {
      let settled = false;
      const done = (r: ForwardResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(r);
      };
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        target,
        {
          method: 'POST',
          lookup: this.guard.lookup as never,
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            'idempotency-key': mo.id,
            'user-agent': 'Hermod keyword service',
          },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBytes)
              return done({ ok: false, error: `the answer is larger than ${this.maxBytes} bytes` });
            chunks.push(chunk);
          });
          res.on('error', (err) => done({ ok: false, error: err.message }));
          res.on('end', () => {
            if (status < 200 || status > 299) return done({ ok: false, error: `HTTP ${status}` });
            const body = Buffer.concat(chunks).toString('utf8');
            const type = String(res.headers['content-type'] ?? '');
            if (!/json/i.test(type)) return done({ ok: true, reply: body.trim() });
            try {
              const parsed = JSON.parse(body) as { reply?: unknown };
              if (parsed.reply === undefined || parsed.reply === null) return done({ ok: true, reply: '' });
              if (typeof parsed.reply !== 'string')
                return done({ ok: false, error: 'the JSON answer\'s "reply" is not a string' });
              done({ ok: true, reply: parsed.reply.trim() });
            } catch {
              done({ ok: false, error: 'the answer is not valid JSON' });
            }
          });
        },
      );
      const timer = setTimeout(
        () => done({ ok: false, error: `no answer within ${this.timeoutMs} ms` }),
        this.timeoutMs,
      );
      req.on('error', (err) => done({ ok: false, error: err.message }));
      req.end(payload);
    });
  }
}
