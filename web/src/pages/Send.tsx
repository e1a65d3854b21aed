/**
 * Send one or many messages: the numbers (one per line, or separated by commas), the
 * sender, the text with a live count of characters, encoding and parts — the characters
 * that force UCS-2 highlighted, with one click to replace those that have a GSM-7
 * equivalent — and the price before sending; optionally a time to send at. Recipients can
 * also be picked from the address book (groups, contacts) and the text taken from a saved
 * template: those go out as a one-off campaign, which resolves the groups, skips opted-out
 * numbers and fills each recipient's placeholders.
 * Pictures, video or audio attached make it an MMS (uploaded as chosen, priced once per
 * message, with an optional subject); a campaign carries no media, so attaching is off then.
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { ApiError } from '../api/client';
import { useQuote, useSend, useSendBatch } from '../api/messages';
import { useSendCampaign, type Contact } from '../api/contacts';
import { PickRecipients } from './send/PickRecipients';
import { SentNote, TemplatePicker, type Sent } from './send/SendParts';
import { MmsPrice } from './send/MmsPrice';
import { MediaAttach, useAttachments } from '../components/MediaAttach';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/ErrorNote';
import { countSms, REPLACEMENTS, toGsm } from '../lib/sms';

interface Form {
  to: string;
  from: string;
  text: string;
  subject: string;
  sendAt: string;
}

const numbersOf = (to: string) =>
  to
    .split(/[\n,;]+/)
    .map((n) => n.trim())
    .filter(Boolean);

export function Send() {
  const { register, handleSubmit, watch, setValue, formState } = useForm<Form>({
    defaultValues: { to: '', from: '', text: '', subject: '', sendAt: '' },
  });
  const send = useSend();
  const batch = useSendBatch();
  const campaign = useSendCampaign();
  const [groups, setGroups] = useState<number[]>([]);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [sent, setSent] = useState<Sent>();
  const attachments = useAttachments();
  const mms = attachments.items.length > 0;
  const text = watch('text');
  const numbers = numbersOf(watch('to'));
  const count = countSms(text);
  const quote = useQuote(numbers[0] ?? '', text, mms);
  const replaceable = count.offending.filter((c) => REPLACEMENTS[c] !== undefined);
  const picked = groups.length > 0 || contacts.length > 0;
  const asCampaign = picked || text.includes('{{');
  const error = send.error ?? batch.error ?? campaign.error;
  const fieldError = (name: string) =>
    error instanceof ApiError && error.field?.split('.')[0] === name ? error.message : undefined;

  const onSubmit = (f: Form) => {
    setSent(undefined);
    const common = {
      ...(f.text || !mms ? { text: f.text } : {}),
      from: f.from.trim(),
      ...(f.sendAt ? { send_at: new Date(f.sendAt).toISOString() } : {}),
      ...(mms ? { media_urls: attachments.ids } : {}),
      ...(mms && f.subject.trim() ? { subject: f.subject.trim() } : {}),
    };
    const to = numbersOf(f.to);
    if (asCampaign)
      campaign.mutate(
        {
          from: common.from,
          text: f.text,
          audience: { groups, contacts: contacts.map((c) => c.id), numbers: to },
          ...(common.send_at ? { schedule_at: common.send_at } : {}),
        },
        { onSuccess: (c) => setSent({ campaign: c.id }) },
      );
    else if (to.length === 1)
      send.mutate(
        { ...common, to: to[0] },
        {
          onSuccess: (m) => {
            setSent({ one: m });
            attachments.clear();
          },
        },
      );
    else
      batch.mutate(
        { ...common, to },
        {
          onSuccess: (r) => {
            setSent({ many: r });
            attachments.clear();
          },
        },
      );
  };

  return (
    <section>
      <h1>Send</h1>
      <form onSubmit={handleSubmit(onSubmit)} noValidate className="narrow">
        <Field
          label="To"
          hint="Numbers in international format, e.g. +447700900123; one per line for several."
          error={formState.errors.to?.message ?? fieldError('to')}
        >
          {(id, d) => (
            <textarea
              id={id}
              rows={2}
              aria-describedby={d}
              {...register('to', {
                validate: (v) =>
                  picked || numbersOf(v).length > 0 || 'Enter at least one number, or pick contacts.',
              })}
            />
          )}
        </Field>
        <PickRecipients groups={groups} contacts={contacts} onGroups={setGroups} onContacts={setContacts} />
        <Field
          label="From"
          hint="The sender the handset shows: a number, or up to 11 letters and digits."
          error={formState.errors.from?.message ?? fieldError('from')}
        >
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              maxLength={20}
              {...register('from', { required: 'Enter a sender.' })}
            />
          )}
        </Field>
        <TemplatePicker onPick={(t) => setValue('text', t, { shouldValidate: true })} />
        <Field
          label="Message"
          error={formState.errors.text?.message ?? fieldError('text')}
          hint={
            <span aria-live="polite">
              {mms ? (
                `${count.units} characters · optional with a picture; an MMS carries the text whole, in one message`
              ) : (
                <>
                  {count.units} characters · {count.encoding} · {count.segments}{' '}
                  {count.segments === 1 ? 'part' : 'parts'} · {count.left} left in this part
                  {quote.data?.rate !== undefined &&
                    ` · ${numbers.length > 1 ? `${numbers.length} × ` : ''}${quote.data.rate} per part`}
                </>
              )}
            </span>
          }
        >
          {(id, d) => (
            <textarea
              id={id}
              rows={5}
              aria-describedby={d}
              {...register('text', {
                validate: (v) => mms || v !== '' || 'Write a message, or attach a picture.',
              })}
            />
          )}
        </Field>
        <MediaAttach
          attachments={attachments}
          disabledWhy={
            asCampaign
              ? `${picked ? 'Groups and contacts are' : 'A message with placeholders is'} sent as a campaign, and campaigns carry text only: to send a picture, type the numbers instead.`
              : undefined
          }
        />
        {mms && (
          <>
            <Field
              label="Subject (optional)"
              hint="The title phones show above the MMS."
              error={fieldError('subject')}
            >
              {(id, d) => <input id={id} aria-describedby={d} maxLength={80} {...register('subject')} />}
            </Field>
            <MmsPrice quote={quote.data} error={quote.error} numbers={numbers.length} />
          </>
        )}
        {count.offending.length > 0 && (
          <div className="note warning">
            These characters make the message UCS-2 (70 characters per part instead of 160):{' '}
            {count.offending.map((c) => (
              <mark key={c}>{c === ' ' ? '␣' : c}</mark>
            ))}
            {replaceable.length > 0 && (
              <button
                type="button"
                className="secondary"
                onClick={() => setValue('text', toGsm(text), { shouldValidate: true })}
              >
                Replace with GSM-7 equivalents
              </button>
            )}
          </div>
        )}
        <Field label="Send at" hint="Leave empty to send now.">
          {(id, d) => <input id={id} type="datetime-local" aria-describedby={d} {...register('sendAt')} />}
        </Field>
        <ErrorNote
          error={error && !fieldError('to') && !fieldError('text') && !fieldError('from') ? error : undefined}
        />
        {asCampaign && (
          <p className="hint">
            {picked ? 'Groups and contacts are' : 'A message with placeholders is'} sent as a campaign: you
            follow it on its page.
          </p>
        )}
        {mms && asCampaign && (
          <p className="note warning" role="alert">
            A campaign cannot carry the attached files: remove them, or type the numbers instead.
          </p>
        )}
        <button
          type="submit"
          disabled={
            send.isPending ||
            batch.isPending ||
            campaign.isPending ||
            attachments.uploading ||
            (mms && asCampaign)
          }
        >
          {asCampaign
            ? 'Send to the recipients'
            : numbers.length > 1
              ? `Send to ${numbers.length} numbers`
              : 'Send'}
        </button>
      </form>
      {sent && <SentNote sent={sent} />}
    </section>
  );
}
