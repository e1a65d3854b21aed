/**
 * How a text goes out as SMS, counted in the browser as the gateway counts it: GSM 03.38
 * (7-bit; the extension table's characters count twice) when every character is in it,
 * else UCS-2 (UTF-16 code units). One SMS holds 160 GSM-7 characters or 70 UCS-2 units;
 * a long message 153 or 67 per part (the concatenation header takes the rest).
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENDED = '\f^{}\\[~]|€';
const basic = new Set(BASIC);
const extended = new Set(EXTENDED);

/** Characters people paste from word processors, and their GSM-7 equivalents. */
export const REPLACEMENTS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u2022': '-',
  '\u00b4': "'",
  '\u02bc': "'",
  '\u00ab': '"',
  '\u00bb': '"',
  á: 'a',
  í: 'i',
  ó: 'o',
  ú: 'u',
  ç: 'Ç',
  â: 'a',
  ê: 'e',
  î: 'i',
  ô: 'o',
  û: 'u',
};

export interface SmsCount {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the encoding counts them (septets, or UTF-16 units). */
  units: number;
  segments: number;
  /** Room left in the last part. */
  left: number;
  /** The characters that force UCS-2, each once, in order of appearance. */
  offending: string[];
}

export function countSms(text: string): SmsCount {
  let septets = 0;
  const offending: string[] = [];
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extended.has(ch)) septets += 2;
    else if (!offending.includes(ch)) offending.push(ch);
  }
  if (offending.length === 0) return sized('GSM-7', septets, 160, 153, offending);
  return sized('UCS-2', text.length, 70, 67, offending);
}

function sized(
  encoding: SmsCount['encoding'],
  units: number,
  single: number,
  multi: number,
  offending: string[],
): SmsCount {
  const segments = units <= single ? 1 : Math.ceil(units / multi);
  const room = segments === 1 ? single : segments * multi;
  return { encoding, units, segments, left: room - units, offending };
}

/** The text with every character that has a GSM-7 equivalent replaced by it. */
export function toGsm(text: string): string {
  let out = '';
  for (const ch of text) out += REPLACEMENTS[ch] ?? ch;
  return out;
}
