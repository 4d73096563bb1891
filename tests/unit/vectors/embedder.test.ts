import { HashingEmbedder, normalise, productText } from '../../../src/vectors/embedder';

const dot = (a: Float32Array, b: Float32Array): number =>
  a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('HashingEmbedder', () => {
  const embedder = new HashingEmbedder(384);

  test('is deterministic and named after its size', () => {
    expect(embedder.name).toBe('hashing-384');
    expect(Array.from(embedder.embedText('Red running shoes'))).toEqual(
      Array.from(new HashingEmbedder(384).embedText('Red running shoes')),
    );
    expect(embedder.embedText('x').length).toBe(384);
  });

  test('is case-insensitive and ignores punctuation', () => {
    expect(Array.from(embedder.embedText('Red, RUNNING shoes!'))).toEqual(
      Array.from(embedder.embedText('red running shoes')),
    );
  });

  test('returns unit vectors; empty text is the zero vector', () => {
    for (const text of ['a', 'trail running shoes for wet ground', 'Ünïcode wörds 42']) {
      expect(Math.sqrt(dot(embedder.embedText(text), embedder.embedText(text)))).toBeCloseTo(1, 5);
    }
    expect(embedder.embedText('  ').every((value) => value === 0)).toBe(true);
    expect(Array.from(normalise(new Float32Array([3, 4])))).toEqual([0.6000000238418579, 0.800000011920929]);
  });

  test('similar texts score higher than unrelated ones', () => {
    const shoe = embedder.embedText(
      productText({ name: 'Trail running shoe', description: 'Grippy sole', category: 'footwear' }),
    );
    const otherShoe = embedder.embedText(
      productText({ name: 'Road running shoe', description: 'Light sole', category: 'footwear' }),
    );
    const kettle = embedder.embedText(
      productText({ name: 'Electric kettle', description: 'Boils water fast', category: 'kitchen' }),
    );
    expect(dot(shoe, otherShoe)).toBeGreaterThan(0.3);
    expect(dot(shoe, otherShoe)).toBeGreaterThan(dot(shoe, kettle) + 0.3);
  });

  test('productText tolerates missing description and category', () => {
    expect(productText({ name: 'Widget', description: null })).toBe('Widget  ');
  });
});
