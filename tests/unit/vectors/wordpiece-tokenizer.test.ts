import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WordPieceTokenizer } from '../../../src/vectors/wordpiece-tokenizer';
import reference from '../../fixtures/minilm-token-ids.json';
import { installedMiniLmModel } from '../../support/minilm-model';

const model = installedMiniLmModel();
const tokenizer = WordPieceTokenizer.fromFile(model.tokenizerFile);

describe('WordPieceTokenizer (all-MiniLM-L6-v2)', () => {
  test.each(reference.cases.map((entry) => [JSON.stringify(entry.text).slice(0, 60), entry] as const))(
    'matches HuggingFace tokenizers for %s',
    (_label, entry) => {
      expect(tokenizer.encode(entry.text).ids).toEqual(entry.ids);
    },
  );

  test('covers the tricky cases in the reference', () => {
    expect(reference.cases.length).toBeGreaterThanOrEqual(30);
    const longest = Math.max(...reference.cases.map((entry) => entry.ids.length));
    expect(longest).toBe(128); // one case is truncated
    expect(tokenizer.maxLength).toBe(128);
  });

  test('frames with [CLS] … [SEP], truncates to 128 and masks every real token', () => {
    expect(tokenizer.encode('')).toEqual({ ids: [101, 102], attentionMask: [1, 1] });
    const long = tokenizer.encode('word '.repeat(500));
    expect(long.ids).toHaveLength(128);
    expect(long.ids[0]).toBe(101);
    expect(long.ids[127]).toBe(102);
    expect(long.attentionMask).toEqual(long.ids.map(() => 1));
  });

  test('normalises and splits as BERT does', () => {
    expect(tokenizer.normalize('Crème\u0000 Brûlée\t北京')).toBe('creme brulee  北  京 ');
    expect(tokenizer.preTokenize('$19.99, e-bike')).toEqual(['$', '19', '.', '99', ',', 'e', '-', 'bike']);
  });
});

describe('WordPieceTokenizer on a tiny vocabulary', () => {
  const json = (vocab: Record<string, number>): unknown => ({
    truncation: null,
    added_tokens: [],
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]' } },
        { Sequence: { id: 'A' } },
        { SpecialToken: { id: '[SEP]' } },
      ],
      special_tokens: { '[CLS]': { ids: [1] }, '[SEP]': { ids: [2] } },
    },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 9,
      vocab,
    },
  });
  const tiny = WordPieceTokenizer.fromJson(
    json({ '[UNK]': 0, un: 3, unaff: 4, '##aff': 5, '##able': 6, '##a': 7, '##ble': 8 }),
  );

  test('takes the longest match first, continues with ##, and gives [UNK] to what does not match', () => {
    expect(tiny.encode('unaffable').ids).toEqual([1, 4, 6, 2]); // unaff ##able, not un ##aff ##able
    expect(tiny.encode('unx un').ids).toEqual([1, 0, 3, 2]); // a partial match is still a whole [UNK]
    expect(tiny.encode('ununununun').ids).toEqual([1, 0, 2]); // over max_input_chars_per_word
  });

  test('rejects an unexpected tokenizer.json naming the file', () => {
    const bpe = { ...(json({}) as object), model: { type: 'BPE' } };
    expect(() => WordPieceTokenizer.fromJson(bpe, '/models/x.json')).toThrow(
      /^Unexpected tokenizer \/models\/x\.json: expected a BERT WordPiece tokenizer\.json \(model\.type: /,
    );
    expect(() => WordPieceTokenizer.fromJson(json({ a: 1 }), 'no-unk.json')).toThrow(
      'Unexpected tokenizer no-unk.json: unk_token [UNK] is not in the vocab',
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wordpiece-'));
    try {
      const broken = path.join(dir, 'tokenizer.json');
      fs.writeFileSync(broken, '{ not json');
      expect(() => WordPieceTokenizer.fromFile(broken)).toThrow(`Cannot read tokenizer ${broken}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
