/** The price of an MMS (GET /v1/rates?type=mms): one charge per message, or the SMS it would go as. */
import { ApiError } from '../../api/client';
import type { Quote } from '../../api/messages';

export function MmsPrice(props: { quote: Quote | undefined; error: unknown; numbers: number }) {
  const { quote, error, numbers } = props;
  const times = numbers > 1 ? `${numbers} × ` : '';
  let text: string | undefined;
  if (error instanceof ApiError) text = error.message;
  else if (quote?.type === 'sms' && quote.fallback === 'sms_link')
    text = `No MMS route to this number: it goes as an SMS with a link to each file, ${times}${quote.rate} per part.`;
  else if (quote)
    text = `MMS: ${times}${quote.total ?? quote.rate} per message, whatever the length of the text.`;
  if (!text) return null;
  return (
    <p className="hint price" aria-live="polite">
      {text}
    </p>
  );
}
