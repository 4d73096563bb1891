/**
 * BERT WordPiece tokenisation as HuggingFace `tokenizers` does it for a tokenizer.json with a BertNormalizer,
 * a BertPreTokenizer, a WordPiece model and a [CLS] A [SEP] template — what all-MiniLM-L6-v2 uses. Checked
 * id-for-id against the Python package (tests/fixtures/minilm-token-ids.json).
 */
import fs from 'node:fs';
import { z } from 'zod';

/** Token ids for one text, with [CLS]/[SEP], truncated; unpadded, so the mask is all ones. */
export interface Encoding {
  readonly ids: readonly number[];
  readonly attentionMask: readonly number[];
}

const TokenizerFileSchema = z.object({
  truncation: z.object({ max_length: z.number().int().positive(), direction: z.literal('Right') }).nullable(),
  added_tokens: z.array(z.object({ id: z.number().int(), content: z.string().min(1) })),
  normalizer: z.object({
    type: z.literal('BertNormalizer'),
    clean_text: z.boolean(),
    handle_chinese_chars: z.boolean(),
    strip_accents: z.boolean().nullable(),
    lowercase: z.boolean(),
  }),
  pre_tokenizer: z.object({ type: z.literal('BertPreTokenizer') }),
  post_processor: z.object({
    type: z.literal('TemplateProcessing'),
    single: z.array(
      z.union([
        z.object({ SpecialToken: z.object({ id: z.string() }) }),
        z.object({ Sequence: z.object({ id: z.literal('A') }) }),
      ]),
    ),
    special_tokens: z.record(z.string(), z.object({ ids: z.array(z.number().int()) })),
  }),
  model: z.object({
    type: z.literal('WordPiece'),
    unk_token: z.string(),
    continuing_subword_prefix: z.string(),
    max_input_chars_per_word: z.number().int().positive(),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
  }),
});

type TokenizerFile = z.infer<typeof TokenizerFileSchema>;

// Control characters (category C, but not \t\n\r, which are whitespace), NUL and U+FFFD vanish in clean_text.
const REMOVED_CHAR = /^(?![\t\n\r])[\p{C}\uFFFD]$/u;
const WHITESPACE = /\p{White_Space}/u;
const NONSPACING_MARK = /\p{Mn}/gu;
// BERT counts all ASCII symbols as punctuation (e.g. $ + < = > ^ ` | ~), plus Unicode category P.
const PUNCTUATION = /^(?:[!-/:-@[-`{-~]|\p{P})$/u;

/** The CJK ideograph blocks BERT splits into single-character words (not Hangul, kana). */
function isChineseChar(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b920 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}

export class WordPieceTokenizer {
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly unkId: number;
  private readonly prefixIds: readonly number[];
  private readonly suffixIds: readonly number[];
  /** Text that maps straight to a special token (e.g. a literal "[MASK]"), matched before normalisation. */
  private readonly addedTokens: ReadonlyMap<string, number>;
  private readonly addedTokenPattern: RegExp | undefined;

  private constructor(
    private readonly config: TokenizerFile,
    private readonly source: string,
  ) {
    this.vocab = new Map(Object.entries(config.model.vocab));
    const unkId = this.vocab.get(config.model.unk_token);
    if (unkId === undefined) throw this.invalid(`unk_token ${config.model.unk_token} is not in the vocab`);
    this.unkId = unkId;

    const specialIds = (id: string): number[] => {
      const special = config.post_processor.special_tokens[id];
      if (!special) throw this.invalid(`post_processor special token ${id} is not defined`);
      return special.ids;
    };
    const sequenceAt = config.post_processor.single.findIndex((piece) => 'Sequence' in piece);
    if (sequenceAt < 0) throw this.invalid('post_processor.single has no Sequence A');
    const specials = (pieces: TokenizerFile['post_processor']['single']): number[] =>
      pieces.flatMap((piece) => ('SpecialToken' in piece ? specialIds(piece.SpecialToken.id) : []));
    this.prefixIds = specials(config.post_processor.single.slice(0, sequenceAt));
    this.suffixIds = specials(config.post_processor.single.slice(sequenceAt + 1));

    this.addedTokens = new Map(config.added_tokens.map((token) => [token.content, token.id]));
    const escaped = [...this.addedTokens.keys()]
      .sort((a, b) => b.length - a.length) // longest first, as HF's leftmost-longest matching
      .map((content) => content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.addedTokenPattern = escaped.length > 0 ? new RegExp(`(${escaped.join('|')})`, 'u') : undefined;
  }

  /** Reads and validates a HuggingFace tokenizer.json; throws naming the file when it is not the expected kind. */
  static fromFile(file: string): WordPieceTokenizer {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(
        `Cannot read tokenizer ${file}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return WordPieceTokenizer.fromJson(json, file);
  }

  static fromJson(json: unknown, source = 'tokenizer.json'): WordPieceTokenizer {
    const parsed = TokenizerFileSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new Error(`Unexpected tokenizer ${source}: expected a BERT WordPiece tokenizer.json (${issues})`);
    }
    return new WordPieceTokenizer(parsed.data, source);
  }

  /** The most ids encode returns, special tokens included. */
  get maxLength(): number | undefined {
    return this.config.truncation?.max_length;
  }

  encode(text: string): Encoding {
    const body: number[] = [];
    for (const piece of this.splitAddedTokens(text)) {
      if (typeof piece === 'number') body.push(piece);
      else for (const word of this.preTokenize(this.normalize(piece))) body.push(...this.wordPiece(word));
    }
    const maxLength = this.config.truncation?.max_length;
    const room =
      maxLength === undefined ? body.length : maxLength - this.prefixIds.length - this.suffixIds.length;
    const ids = [...this.prefixIds, ...body.slice(0, Math.max(0, room)), ...this.suffixIds];
    return { ids, attentionMask: ids.map(() => 1) };
  }

  /** Text pieces to tokenise, with literal special tokens already resolved to their ids. */
  private splitAddedTokens(text: string): (string | number)[] {
    if (!this.addedTokenPattern) return [text];
    // A capturing split interleaves text (even indices) and matched tokens (odd indices).
    return text
      .split(this.addedTokenPattern)
      .map((part, index) => (index % 2 === 1 ? this.addedTokens.get(part)! : part));
  }

  /** BertNormalizer, in its order: clean text, space out CJK, strip accents, lowercase. */
  normalize(text: string): string {
    const { clean_text, handle_chinese_chars, strip_accents, lowercase } = this.config.normalizer;
    let chars = Array.from(text);
    if (clean_text) {
      chars = chars
        .filter((char) => !REMOVED_CHAR.test(char))
        .map((char) => (WHITESPACE.test(char) ? ' ' : char));
    }
    if (handle_chinese_chars) {
      chars = chars.map((char) => (isChineseChar(char.codePointAt(0)!) ? ` ${char} ` : char));
    }
    let normalized = chars.join('');
    // strip_accents null means "follow lowercase" (as BERT uncased does).
    if (strip_accents ?? lowercase) normalized = normalized.normalize('NFD').replace(NONSPACING_MARK, '');
    // Per character, as Rust's char::to_lowercase: no context rules such as a word-final sigma.
    if (lowercase) normalized = Array.from(normalized, (char) => char.toLowerCase()).join('');
    return normalized;
  }

  /** BertPreTokenizer: split on whitespace, and every punctuation character is a word of its own. */
  preTokenize(text: string): string[] {
    const words: string[] = [];
    let current = '';
    for (const char of text) {
      if (WHITESPACE.test(char) || PUNCTUATION.test(char)) {
        if (current) words.push(current);
        current = '';
        if (!WHITESPACE.test(char)) words.push(char);
      } else {
        current += char;
      }
    }
    if (current) words.push(current);
    return words;
  }

  /** Greedy longest-match-first; a word with any unmatched rest, or too long, is one [UNK]. */
  private wordPiece(word: string): number[] {
    const { max_input_chars_per_word, continuing_subword_prefix } = this.config.model;
    const chars = Array.from(word);
    if (chars.length > max_input_chars_per_word) return [this.unkId];
    const ids: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let id: number | undefined;
      let end = chars.length;
      for (; end > start; end--) {
        const piece = chars.slice(start, end).join('');
        id = this.vocab.get(start > 0 ? continuing_subword_prefix + piece : piece);
        if (id !== undefined) break;
      }
      if (id === undefined) return [this.unkId];
      ids.push(id);
      start = end;
    }
    return ids;
  }

  private invalid(message: string): Error {
    return new Error(`Unexpected tokenizer ${this.source}: ${message}`);
  }
}
