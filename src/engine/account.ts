/**
 * An account's own settings (issue 15): its webhook (the default status-callback URL of
 * messages sent without one, and the Standard Webhooks signing secret), its SMPP password,
 * and its web users' second factor (TOTP, RFC 6238: 6 digits, 30 s, SHA-1, as every
 * authenticator app reads an `otpauth://` URI).
 *
 * - The signing secret is shown once, when made (rotate); afterwards only masked. The
 *   webhook sender asks `secretFor(username)` synchronously for every delivery, so the
 *   secrets are kept in memory: loaded at start (`load`), updated on rotation. Another node
 *   learns a rotation at its next start.
 * - A TOTP setup is stored unconfirmed; it counts (sign-ins ask for a code) once a code from
 *   the app confirms it. Turning it off needs a code too, so a stolen session alone cannot.
 *   Codes are checked with a window of one step either side (clock drift); a code signs in
 *   once (a sign-in with a code seen over a shoulder is refused), within this process.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { User } from '../domain/index.js';
import { hashPassword } from '../domain/index.js';
import { RefusedUrlError, type Accounts, type UrlGuard } from '../gateway/index.js';
import type { AccountSettingsStore, AccountWebhook } from '../store/engine-store/index.js';
import { EngineError, invalid } from './errors.js';

export const TOTP_ISSUER = 'Hermod';

/** The name of the Ed25519 key pair Telnyx events of /v2 are signed with (docs/telnyx-api.md). */
export const TELNYX_WEBHOOK_KEY = 'telnyx-webhooks';

/** An Ed25519 key pair: the private key to sign with, the public key as Telnyx shows one (raw 32 bytes, base64). */
export interface Ed25519Key {
  privateKey: KeyObject;
  publicKey: string;
}

function newEd25519(): { privateKey: string; publicKey: string } {
  const pair = generateKeyPairSync('ed25519');
  const x = pair.publicKey.export({ format: 'jwk' }).x!;
  return {
    privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: Buffer.from(x, 'base64url').toString('base64'),
  };
}

export interface TotpSetup {
  /** Base32, for typing into an app by hand. */
  secret: string;
  /** `otpauth://totp/Hermod:<email>?secret=…&issuer=Hermod`. */
  uri: string;
  /** The URI as a QR code, an SVG document. */
  qrSvg: string;
}

export interface WebhookSettings {
  url: string | null;
  /** Whether a signing secret is set (here, or for the account in the configuration). */
  hasSecret: boolean;
  /** The secret's last 4 characters, for telling two apart; null without one. */
  secretHint: string | null;
  updatedAt: number | null;
}

const totpOf = (secret: string, label: string): TOTP =>
  new TOTP({
    issuer: TOTP_ISSUER,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });

const wrongCode = (): EngineError => invalid('code', 'is not the current code of your authenticator app');

export class AccountService {
  /** username → signing secret set here (the configuration's are the sender's fallback). */
  private readonly secrets = new Map<string, string>();
  /** web user → the time step of the last code that signed in (no code twice). */
  private readonly lastStep = new Map<number, number>();

  constructor(
    private readonly store: AccountSettingsStore,
    private readonly accounts: Pick<Accounts, 'byId' | 'list' | 'put'>,
    private readonly guard?: Pick<UrlGuard, 'check'>,
    private readonly configSecret: (username: string) => boolean = () => false,
  ) {}

  private readonly keys = new Map<string, Promise<Ed25519Key>>();

  /**
   * The installation's Ed25519 key pair `name`: made once and stored, so every node and every
   * restart signs with the same key and customers verify with one public key.
   */
  ed25519Key(name: string = TELNYX_WEBHOOK_KEY): Promise<Ed25519Key> {
    let key = this.keys.get(name);
    if (!key) {
      key = this.store.signingKey({ name, candidate: newEd25519() }).then((k) => ({
        privateKey: createPrivateKey(k.privateKey),
        publicKey: k.publicKey,
      }));
      key.catch(() => this.keys.delete(name));
      this.keys.set(name, key);
    }
    return key;
  }

  /** Reads the stored signing secrets (at start). */
  async load(): Promise<void> {
    const byId = new Map((await this.accounts.list()).map((u) => [u.id, u.username]));
    for (const s of await this.store.webhookSecrets()) {
      const name = byId.get(s.accountId);
      if (name) this.secrets.set(name, s.secret);
    }
  }

  /** The secret set here for an account, by username (the webhook sender's question). */
  secretFor(username: string): string | undefined {
    return this.secrets.get(username);
  }

  async webhook(account: User): Promise<WebhookSettings> {
    return this.viewOf(account, await this.store.getWebhook({ accountId: account.id }));
  }

  /** Sets (or with null clears) the default status-callback URL, checked by the SSRF guard. */
  async setWebhookUrl(account: User, url: string | null): Promise<WebhookSettings> {
    if (url !== null) {
      try {
        url = (await (this.guard ? this.guard.check(url) : Promise.resolve(new URL(url)))).toString();
      } catch (err) {
        if (err instanceof RefusedUrlError) throw invalid('url', `refused: ${err.reason}`);
        throw invalid('url', 'is not a valid absolute URL');
      }
    }
    return this.viewOf(account, await this.store.putWebhook({ accountId: account.id, url }));
  }

  /** The default status-callback URL of an account's REST messages, if set. */
  async callbackUrl(accountId: number): Promise<string | undefined> {
    return (await this.store.getWebhook({ accountId }))?.url ?? undefined;
  }

  /** A new signing secret: returned this once; deliveries are signed with it from now on. */
  async rotateSecret(account: User): Promise<{ secret: string; settings: WebhookSettings }> {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const row = await this.store.putWebhook({ accountId: account.id, secret });
    this.secrets.set(account.username, secret);
    return { secret, settings: this.viewOf(account, row) };
  }

  /** Sets the account's SMPP (and Jasmin HTTP API) password: 1 to 8 characters (SMPP 3.4 §5.2.2). */
  async setSmppPassword(account: User, password: string): Promise<void> {
    if (password.length < 1 || password.length > 8)
      throw invalid('password', 'must have 1 to 8 characters (SMPP 3.4 caps a password at 8)');
    const u = await this.accounts.byId(account.id);
    if (!u) throw new EngineError(404, 'HERMOD_ERR_UNKNOWN_USER', 'no such account');
    await this.accounts.put({
      username: u.username,
      passwordHash: hashPassword(password),
      balanceMicros: u.balanceMicros,
      rateMicros: u.rateMicros,
      enabled: u.enabled,
      group: u.group,
      settings: u.settings,
    });
  }

  /** Whether the web user has confirmed two-factor sign-in. */
  async totpEnabled(webUserId: number): Promise<boolean> {
    return (await this.store.getTotp({ webUserId }))?.enabled === true;
  }

  /** A new (unconfirmed) secret for the user; replaces one not yet confirmed. 409 when on already. */
  async setupTotp(webUserId: number, label: string): Promise<TotpSetup> {
    if (await this.totpEnabled(webUserId))
      throw new EngineError(409, 'HERMOD_ERR_TOTP_ON', 'two-factor sign-in is on already: turn it off first');
    const secret = new Secret({ size: 20 }).base32;
    await this.store.putTotp({ webUserId, secret, enabled: false });
    const uri = totpOf(secret, label).toString();
    return { secret, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1 }) };
  }

  /** Confirms the setup with a code of the app: from now on sign-ins ask for one. */
  async confirmTotp(webUserId: number, code: string): Promise<void> {
    const t = await this.store.getTotp({ webUserId });
    if (!t) throw new EngineError(409, 'HERMOD_ERR_TOTP_NOT_SET_UP', 'set up two-factor sign-in first');
    if (t.enabled) return;
    if (!this.accept(t.secret, code)) throw wrongCode();
    await this.store.putTotp({ webUserId, secret: t.secret, enabled: true });
  }

  /** Turns two-factor sign-in off; needs a current code. */
  async disableTotp(webUserId: number, code: string): Promise<void> {
    const t = await this.store.getTotp({ webUserId });
    if (!t?.enabled) throw new EngineError(409, 'HERMOD_ERR_TOTP_OFF', 'two-factor sign-in is off');
    if (!this.accept(t.secret, code)) throw wrongCode();
    await this.store.deleteTotp({ webUserId });
  }

  /** A sign-in's second step: whether the code is right (the login guard counts a wrong one). */
  async verifyTotp(webUserId: number, code: string): Promise<boolean> {
    const t = await this.store.getTotp({ webUserId });
    if (t?.enabled !== true) return false;
    const step = this.stepOf(t.secret, code);
    if (step === undefined || (this.lastStep.get(webUserId) ?? -1) >= step) return false;
    this.lastStep.set(webUserId, step);
    return true;
  }

  private accept(secret: string, code: string): boolean {
    return this.stepOf(secret, code) !== undefined;
  }

  /** The time step a code belongs to (now, or one step either side), or undefined for a wrong code. */
  private stepOf(secret: string, code: string): number | undefined {
    if (!/^\d{6}$/.test(code.trim())) return undefined;
    const now = Date.now();
    const delta = totpOf(secret, '').validate({ token: code.trim(), timestamp: now, window: 1 });
    return delta === null ? undefined : Math.floor(now / 30_000) + delta;
  }

  private viewOf(account: User, row: AccountWebhook | undefined): WebhookSettings {
    const secret = row?.secret ?? null;
    return {
      url: row?.url ?? null,
      hasSecret: secret !== null || this.configSecret(account.username),
      secretHint: secret === null ? null : secret.slice(-4),
      updatedAt: row?.updatedAt ?? null,
    };
  }
}
