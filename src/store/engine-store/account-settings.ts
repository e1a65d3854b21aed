/**
 * An account's own settings the console changes (issue 15), and its web users' second
 * factor: the account's webhook (a default status-callback URL and its signing secret), and
 * a web user's TOTP secret (RFC 6238) with whether it is confirmed. Kept apart from the
 * core's users table, whose migrations are numbered (the engine's areas are named).
 */

export interface AccountWebhook {
  accountId: number;
  /** Where status events of messages sent without a callback_url go; null: none. */
  url: string | null;
  /** The Standard Webhooks signing secret (`whsec_…`); null: the configuration's, if any. */
  secret: string | null;
  updatedAt: number;
}

export interface WebUserTotp {
  webUserId: number;
  /** Base32 secret (RFC 4648), as authenticator apps read it. */
  secret: string;
  /** False while set up but not confirmed with a code: sign-ins do not ask for it yet. */
  enabled: boolean;
  updatedAt: number;
}

/**
 * A key pair the whole installation signs with (every node and every restart the same):
 * `telnyx-webhooks` signs the Telnyx events of /v2 (docs/telnyx-api.md).
 */
export interface SigningKey {
  name: string;
  /** PKCS #8 PEM. */
  privateKey: string;
  /** What a receiver verifies with (for Ed25519: the raw 32 bytes in base64, as Telnyx shows its key). */
  publicKey: string;
  createdAt: number;
}

export interface AccountSettingsStore {
  /**
   * The key pair named `name`: the stored one, or `candidate` stored now when there is none
   * (the first writer wins when several nodes start at once; all get the same answer).
   */
  signingKey(p: { name: string; candidate: { privateKey: string; publicKey: string } }): Promise<SigningKey>;

  getWebhook(q: { accountId: number }): Promise<AccountWebhook | undefined>;
  /** Sets what is given (undefined keeps, null clears); returns the row after. */
  putWebhook(p: { accountId: number; url?: string | null; secret?: string | null }): Promise<AccountWebhook>;
  /** Every account's stored signing secret (the webhook sender's table at start). */
  webhookSecrets(): Promise<{ accountId: number; secret: string }[]>;

  getTotp(q: { webUserId: number }): Promise<WebUserTotp | undefined>;
  /** Replaces the user's TOTP row (a new setup starts unconfirmed). */
  putTotp(p: { webUserId: number; secret: string; enabled: boolean }): Promise<WebUserTotp>;
  /** Removes it (two-factor off); false when there was none. */
  deleteTotp(q: { webUserId: number }): Promise<boolean>;
}
