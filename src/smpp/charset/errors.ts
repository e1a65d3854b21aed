import { HermodError } from '../../lib/errors.js';

/** A character the chosen encoding cannot carry. We never replace it silently. */
export class UnencodableCharacterError extends HermodError {
  readonly character: string;
  readonly index: number;
  readonly encoding: string;

  constructor(character: string, index: number, encoding: string) {
    const cp = character.codePointAt(0) ?? 0;
    super(
      'HERMOD_ERR_UNENCODABLE',
      `character ${JSON.stringify(character)} (U+${cp.toString(16).toUpperCase().padStart(4, '0')}) at index ${index} cannot be encoded in ${encoding}`,
    );
    this.character = character;
    this.index = index;
    this.encoding = encoding;
  }
}
