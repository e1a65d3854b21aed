/**
 * The namespaces MM7 is spoken in. The schema's URI names the release; relays answer in the
 * namespace they were spoken to, and many pin one. REL-5-MM7-1-2 (MM7Version 5.3.0) and
 * REL-6-MM7-1-4 (6.8.0) are the two in wide use (Mbuni, Nokia, Huawei, Skycore, Sinch).
 */
export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

const BASE = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/';

export const MM7_NAMESPACES = {
  'REL-5-MM7-1-2': { uri: `${BASE}REL-5-MM7-1-2`, version: '5.3.0' },
  'REL-6-MM7-1-4': { uri: `${BASE}REL-6-MM7-1-4`, version: '6.8.0' },
} as const;

export type Mm7Schema = keyof typeof MM7_NAMESPACES;

/**
 * Any release's MM7 schema namespace (REL-5-MM7-1-0 … REL-6-MM7-1-4 and the vendors'
 * variants): a relay speaking another revision of the schema is still speaking MM7.
 */
export function isMm7Namespace(uri: string): boolean {
  return /^https?:\/\/www\.3gpp\.org\/ftp\/Specs\/archive\/23_series\/23\.140\/schema\/REL-\d+-MM7-\d+-\d+\/?$/.test(
    uri,
  );
}
