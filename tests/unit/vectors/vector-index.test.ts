import { HashingEmbedder } from '../../../src/vectors/embedder';
import { ExactVectorIndex } from '../../../src/vectors/vector-index';
import { describeVectorIndexContract } from './vector-index-contract';

describeVectorIndexContract(
  'ExactVectorIndex',
  (dimensions, capacity) => new ExactVectorIndex(dimensions, capacity),
);

describe('ExactVectorIndex', () => {
  // Its speed is measured by `npm run bench:vectors` (exact search is that benchmark's baseline).
  test('10k products at 384 dims: the product itself ranks first for its own text', () => {
    const embedder = new HashingEmbedder(384);
    const index = new ExactVectorIndex(384);
    for (let n = 0; n < 10_000; n++)
      index.upsert(`p${n}`, embedder.embedText(`product ${n} category ${n % 97}`));
    const query = embedder.embedText('product 42 category 42');
    const result = index.search(query, 5);
    expect(result[0]!.id).toBe('p42');
    expect(result[0]!.score).toBeCloseTo(1, 5);
    expect(result).toHaveLength(5);
  });
});
