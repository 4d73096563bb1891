import { MiniLmEmbedder } from '../../../src/vectors/minilm-embedder';
import reference from '../../fixtures/minilm-embeddings.json';
import { installedMiniLmModel, shareTypedArraysWithNativeAddons } from '../../support/minilm-model';

const model = installedMiniLmModel();
shareTypedArraysWithNativeAddons();

const dot = (a: Float32Array, b: Float32Array): number =>
  a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('MiniLmEmbedder', () => {
  let embedder: MiniLmEmbedder;

  beforeAll(async () => {
    embedder = await MiniLmEmbedder.load(model);
  });

  afterAll(async () => {
    await embedder.close();
  });

  test('is all-minilm-l6-v2 with 384 dimensions', () => {
    expect(embedder.name).toBe('all-minilm-l6-v2');
    expect(embedder.dimensions).toBe(384);
  });

  test('matches the onnxruntime + numpy reference to 1e-4 per component', async () => {
    const vectors = await embedder.embed(reference.cases.map((entry) => entry.text));
    const worst = reference.cases.map((entry, index) => {
      const vector = vectors[index]!;
      expect(vector).toHaveLength(384);
      return Math.max(...entry.vector.map((expected, d) => Math.abs(vector[d]! - expected)));
    });
    expect(Math.max(...worst)).toBeLessThan(1e-4);
  });

  test('is semantic: a leather sofa is closer to a fabric couch than to a gaming laptop', async () => {
    const [sofa, couch, laptop] = await embedder.embed(['leather sofa', 'fabric couch', 'gaming laptop']);
    expect(dot(sofa!, couch!)).toBeGreaterThan(dot(sofa!, laptop!) + 0.1);
  });

  test('a batch (padded, sorted, chunked) gives the same vectors as one text at a time', async () => {
    const texts = [
      'Comfortable three-seater leather sofa with solid oak legs and deep cushions',
      'mug',
      '',
      'Crème brûlée torch',
      'gaming laptop 16GB RAM, RTX-4070, 1TB SSD, 240 Hz display',
      '北京烤鸭 Peking duck',
      'mug',
    ];
    const small = await MiniLmEmbedder.load({ ...model, batchSize: 3 });
    try {
      for (const batcher of [embedder, small]) {
        const together = await batcher.embed(texts);
        for (const [index, text] of texts.entries()) {
          const [alone] = await embedder.embed([text]);
          const worst = Math.max(...alone!.map((value, d) => Math.abs(value - together[index]![d]!)));
          expect(worst).toBeLessThan(1e-5);
        }
      }
    } finally {
      await small.close();
    }
  });

  test('returns unit vectors, and nothing for no texts', async () => {
    for (const vector of await embedder.embed(['a', '', 'Ünïcode wörds 42 😀', 'word '.repeat(300)])) {
      expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 5);
    }
    expect(await embedder.embed([])).toEqual([]);
  });

  test('runs concurrent calls one after another and refuses work once closed', async () => {
    const own = await MiniLmEmbedder.load(model);
    const [a, b] = await Promise.all([own.embed(['leather sofa']), own.embed(['leather sofa'])]);
    expect(Array.from(a[0]!)).toEqual(Array.from(b[0]!));
    await own.close();
    await own.close(); // idempotent
    await expect(own.embed(['x'])).rejects.toThrow('all-minilm-l6-v2 embedder is closed');
  });
});
