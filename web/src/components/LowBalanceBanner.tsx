/** Shown on every page while the account's balance is under its low-balance threshold. */
import { Link } from 'react-router';
import { useBalance } from '../api/messages';

export function LowBalanceBanner() {
  const balance = useBalance();
  if (!balance.data?.low) return null;
  return (
    <div className="banner warning" role="status">
      Your balance is low ({balance.data.balance}). Messages are refused when it runs out.{' '}
      <Link to="/account">See your account</Link>
    </div>
  );
}
