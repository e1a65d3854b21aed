/**
 * Matching upstream message ids. The id in submit_sm_resp and the id in the receipt
 * often differ in rendering: hex in one and decimal in the other (Kannel's msg-id-type),
 * leading zeros, letter case. `messageIdKeys` gives every canonical key an id may be
 * known by; a store indexes all keys of the submit_sm_resp id and looks a receipt up
 * by any key of the receipt id. Two ids match when their key sets intersect.
 *
 * Rule: trim, lowercase, strip leading zeros (keeping one "0"); if the id is all hex
 * digits, add its decimal value; if it is all decimal digits, add its hex value
 * (BigInt, so 64-bit ids are exact). UUIDs and other ids are only lowercased.
 */
export function normalizeMessageId(id: string): string {
  const t = id.trim().toLowerCase();
  if (/^[0-9a-f]+$/.test(t)) return t.replace(/^0+(?=.)/, '');
  return t;
}

export function messageIdKeys(id: string): string[] {
  const n = normalizeMessageId(id);
  const keys = new Set([n]);
  if (n.length > 0 && n.length <= 32) {
    if (/^[0-9]+$/.test(n)) keys.add(BigInt(n).toString(16));
    if (/^[0-9a-f]+$/.test(n)) keys.add(BigInt('0x' + n).toString(10));
  }
  return [...keys];
}

/** Whether two renderings may be the same upstream id. */
export function sameMessageId(a: string, b: string): boolean {
  const ka = new Set(messageIdKeys(a));
  return messageIdKeys(b).some((k) => ka.has(k));
}
