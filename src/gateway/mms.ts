/**
 * MMS at the accept door (docs/mms.md): the media a message names are checked against the
 * library (each item exists and is the account's), and a message whose route has no
 * MMS-capable connector becomes, when its fallback allows, an SMS with the text and a signed
 * link per item. Routing itself (only connectors that declare `mms`) is AcceptService.plan.
 */
import type { MediaRef, MmsFallback, User } from '../domain/index.js';
import type { Connector } from './connector.js';
import { reject } from './errors.js';
import { mediaError, refOf, type MediaLibrary } from './media.js';
import type { SubmitDraft } from './draft.js';
import type { MmsOptions } from './options.js';
import type { RouteDef } from './router.js';

/** How long an SMS fallback's links stay valid by default (s): a week, as long as a handset may take to open it. */
export const DEFAULT_LINK_TTL_S = 7 * 86_400;

/**
 * The message's media as the library records them (type and size from the bytes, not from
 * what the caller wrote), each the account's own: HERMOD_ERR_MEDIA_NOT_FOUND (404) for an
 * unknown id or another account's (never "forbidden": ids are not to be probed).
 */
export async function ownMedia(
  media: MediaLibrary | undefined,
  refs: readonly MediaRef[],
  userId: number,
): Promise<MediaRef[]> {
  const out: MediaRef[] = [];
  for (const ref of refs) {
    const row = media ? await media.find(ref.id) : undefined;
    if (!row || row.userId !== userId) throw mediaError.notFound(ref.id);
    out.push(refOf(row));
  }
  return out;
}

/** The fallback that applies: the account's (`defaults.mmsFallback`), the route's, the gateway's, else `refuse`. */
export function fallbackOf(
  user: User,
  route: RouteDef | undefined,
  opts: MmsOptions | undefined,
): MmsFallback {
  return user.settings.defaults.mmsFallback ?? route?.mmsFallback ?? opts?.fallback ?? 'refuse';
}

/**
 * The SMS an MMS falls back to: `text` (the subject first when there is one) and a signed
 * link per item, one per line; `meta.fallback = 'sms_link'`, `meta.linkedMedia` the items,
 * no `meta.media` (it is not an MMS). Throws HERMOD_ERR_NO_MMS_ROUTE when the library cannot
 * sign links.
 */
export function smsWithLinks(
  req: SubmitDraft,
  text: string,
  media: MediaLibrary | undefined,
  o: { destination: string; ttlS?: number; encode: (text: string) => { body: Buffer; dataCoding: number } },
): SubmitDraft {
  const refs = req.meta?.media ?? [];
  if (!media?.canSign)
    throw reject.noMmsRoute(o.destination, 'no MMS-capable connector, and media links cannot be signed here');
  const { body, dataCoding } = o.encode(textWithLinks(text, req.meta?.subject, refs, media, o.ttlS));
  const { media: _media, ...meta } = req.meta ?? {};
  return {
    ...req,
    body,
    dataCoding,
    esmClass: 0,
    meta: { ...meta, fallback: 'sms_link', linkedMedia: refs },
  };
}

/**
 * The text of an MMS as an SMS: the subject (when there is one), the text (when not empty),
 * then a signed link per item (valid `ttlS`), one per line. The MT fallback (smsWithLinks)
 * and an inbound MMS for a customer's SMPP bind (MoService) both write it.
 */
export function textWithLinks(
  text: string,
  subject: string | undefined,
  refs: readonly MediaRef[],
  media: Pick<MediaLibrary, 'signedUrl'>,
  ttlS?: number,
): string {
  const links = refs.map((r) => media.signedUrl(r.id, ttlS ?? DEFAULT_LINK_TTL_S));
  return [...(subject ? [subject] : []), ...(text ? [text] : []), ...links].join('\n');
}

/**
 * HERMOD_ERR_MEDIA_TOO_LARGE (413) for an MMS that no connector of its route takes: its
 * media add up to more than every connector's `mmsMaxBytes`; names the largest cap.
 */
export function tooLargeForRoute(
  bytes: number,
  route: RouteDef | undefined,
  ids: readonly string[],
  connectors: ReadonlyMap<string, Pick<Connector, 'mmsMaxBytes'>>,
): Error {
  const caps = ids.map((id) => connectors.get(id)?.mmsMaxBytes).filter((n) => n !== undefined);
  const largest = caps.length > 0 ? Math.max(...caps) : 0;
  const where = route ? `route ${route.name}` : 'this gateway';
  return mediaError.tooLarge(
    `the media add up to ${bytes} bytes; the largest MMS a connector of ${where} takes is ${largest} bytes`,
  );
}
