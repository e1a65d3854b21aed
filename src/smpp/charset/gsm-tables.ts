/**
 * GSM 03.38 / 3GPP TS 23.038 §6.2.1 tables: the default alphabet, its extension
 * table (reached by the escape septet 0x1B), and the national language shift tables
 * of Annex A we support. Each table is a 128-entry string indexed by septet; '\0'
 * marks an empty position in extension/single-shift tables.
 */
export const ESC = 0x1b;

// §6.2.1 default alphabet. Position 0x1B is the escape to the extension table.
export const DEFAULT_ALPHABET =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

function sparse(entries: Record<number, string>): string {
  const a = new Array<string>(128).fill('\0');
  for (const [k, v] of Object.entries(entries)) a[Number(k)] = v;
  return a.join('');
}

const COMMON_EXTENSION: Record<number, string> = {
  0x0a: '\f',
  0x14: '^',
  0x28: '{',
  0x29: '}',
  0x2f: '\\',
  0x3c: '[',
  0x3d: '~',
  0x3e: ']',
  0x40: '|',
  0x65: '€',
};

// §6.2.1.1 default alphabet extension table.
export const DEFAULT_EXTENSION = sparse(COMMON_EXTENSION);

// Annex A.2.1 / A.3.1 Turkish: locking shift (a whole alphabet) and single shift.
export const TURKISH_LOCKING =
  '@£$¥€éùıòÇ\nĞğ\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bŞşßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  'İABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§çabcdefghijklmnopqrstuvwxyzäöñüà';
export const TURKISH_SINGLE = sparse({
  ...COMMON_EXTENSION,
  0x47: 'Ğ',
  0x49: 'İ',
  0x53: 'Ş',
  0x63: 'ç',
  0x67: 'ğ',
  0x69: 'ı',
  0x73: 'ş',
});

// Annex A.2.2 Spanish single shift (Spanish has no locking shift table).
export const SPANISH_SINGLE = sparse({
  ...COMMON_EXTENSION,
  0x09: 'ç',
  0x41: 'Á',
  0x49: 'Í',
  0x4f: 'Ó',
  0x55: 'Ú',
  0x61: 'á',
  0x69: 'í',
  0x6f: 'ó',
  0x75: 'ú',
});

// Annex A.2.3 Portuguese single shift.
export const PORTUGUESE_SINGLE = sparse({
  ...COMMON_EXTENSION,
  0x05: 'ê',
  0x09: 'ç',
  0x0b: 'Ô',
  0x0c: 'ô',
  0x0e: 'Á',
  0x0f: 'á',
  0x12: 'Φ',
  0x13: 'Γ',
  0x15: 'Ω',
  0x16: 'Π',
  0x17: 'Ψ',
  0x18: 'Σ',
  0x19: 'Θ',
  0x1f: 'Ê',
  0x41: 'À',
  0x49: 'Í',
  0x4f: 'Ó',
  0x55: 'Ú',
  0x5b: 'Ã',
  0x5c: 'Õ',
  0x61: 'Â',
  0x69: 'í',
  0x6f: 'ó',
  0x75: 'ú',
  0x7b: 'ã',
  0x7c: 'õ',
  0x7f: 'â',
});

export type NationalLanguage = 'turkish' | 'spanish' | 'portuguese';

/** National language identifiers used in UDH IEs 0x24/0x25 (TS 23.038 §6.2.1.2.4). */
export const LANGUAGE_ID: Record<NationalLanguage, number> = { turkish: 1, spanish: 2, portuguese: 3 };

export interface ShiftTables {
  /** The alphabet in force (default or a locking shift table). */
  locking: string;
  /** The table reached by ESC (the default extension or a single shift table). */
  single: string;
  lockingId?: number;
  singleId?: number;
}

export function shiftTables(language?: NationalLanguage): ShiftTables {
  switch (language) {
    case 'turkish':
      return { locking: TURKISH_LOCKING, single: TURKISH_SINGLE, lockingId: 1, singleId: 1 };
    case 'spanish':
      return { locking: DEFAULT_ALPHABET, single: SPANISH_SINGLE, singleId: 2 };
    case 'portuguese':
      return { locking: DEFAULT_ALPHABET, single: PORTUGUESE_SINGLE, singleId: 3 };
    default:
      return { locking: DEFAULT_ALPHABET, single: DEFAULT_EXTENSION };
  }
}

/** Tables by language id as carried in a UDH IE (unknown ids fall back to the default). */
export function tablesForIds(lockingId: number | undefined, singleId: number | undefined): ShiftTables {
  const byId = (id: number | undefined): NationalLanguage | undefined =>
    id === 1 ? 'turkish' : id === 2 ? 'spanish' : id === 3 ? 'portuguese' : undefined;
  const locking = lockingId === 1 ? TURKISH_LOCKING : DEFAULT_ALPHABET;
  const single = shiftTables(byId(singleId)).single;
  return { locking, single, lockingId, singleId };
}
