/**
 * The account: balance and ledger, rates, API keys, webhooks, SMPP, the team, and your own
 * two-factor sign-in. Owners and admins change settings; senders and viewers read them
 * (never a secret). An operator has no account: the page shows their two-factor sign-in.
 */
import { useSession } from '../api/session';
import { ApiKeysSection } from './account/ApiKeys';
import { LedgerSection, RatesSection } from './account/Ledger';
import { SmppSection } from './account/Smpp';
import { TeamSection } from './account/Team';
import { TwoFactorSection } from './account/TwoFactor';
import { WebhookSection } from './account/Webhook';

export function Account() {
  const session = useSession();
  const s = session.data;
  if (s?.user.kind === 'operator')
    return (
      <section className="account">
        <h1>Your sign-in</h1>
        <p>Signed in as {s.user.email} (operator).</p>
        <TwoFactorSection />
      </section>
    );
  const canChange = s?.user.role === 'owner' || s?.user.role === 'admin';
  return (
    <section className="account">
      <h1>Account</h1>
      <dl className="facts">
        <dt>Account</dt>
        <dd>{s?.account?.username}</dd>
        <dt>Signed in as</dt>
        <dd>
          {s?.user.email} ({s?.user.role})
        </dd>
      </dl>
      <LedgerSection />
      <RatesSection />
      <ApiKeysSection canChange={canChange} />
      <WebhookSection canChange={canChange} />
      <SmppSection canChange={canChange} />
      <TeamSection canChange={canChange} me={s?.user.id} />
      <TwoFactorSection />
    </section>
  );
}
