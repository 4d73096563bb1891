import { Naming } from '../../../src/core/naming';
import { silentLogger } from '../../../src/logging/logger';
import type { EventSourcingRuntime } from '../../../src/runtime/event-sourcing-runtime';
import { InMemoryKeyValueStore } from '../../../src/storage/in-memory-key-value';
import { HashingEmbedder } from '../../../src/vectors/embedder';
import { LazyEmbedder } from '../../../src/vectors/lazy-embedder';
import { productDecider, type Product } from '../../../services/inventory/product-decider';
import { ProductVectors } from '../../../services/inventory/product-vectors';
import { inMemoryRuntime } from '../../support/in-memory-runtime';

const meta = { correlationId: 'c-1' };

describe('inventory ProductVectors', () => {
  let runtime: EventSourcingRuntime;
  let kv: InMemoryKeyValueStore;

  beforeEach(() => {
    kv = new InMemoryKeyValueStore();
    runtime = inMemoryRuntime({ service: 'inventory', kv });
  });

  afterEach(() => runtime.close());

  test('the model is loaded only while the flag is on: backfill on, release off, reload on again', async () => {
    const products = runtime.repository('Product', productDecider);
    const create = async (id: string, name: string, category: string): Promise<Product> => {
      const created = await products.handle(
        id,
        { type: 'CreateProduct', sku: id, name, price: '5.00', quantityOnHand: 1, category },
        meta,
      );
      return created.state!;
    };
    await create('shoe-1', 'Trail running shoe', 'footwear');
    await create('shoe-2', 'Road running shoe', 'footwear');
    await create('kettle', 'Electric kettle', 'kitchen');

    let loads = 0;
    const embedder = new LazyEmbedder('hashing-384', 384, async () => {
      loads++;
      return new HashingEmbedder(384);
    });
    const vectors = new ProductVectors({
      kv,
      naming: new Naming('t.'),
      products,
      embedder,
      logger: silentLogger(),
    });
    const embeddings = kv.map('t.product-embeddings.hashing-384.view');

    // Off: a new product is not embedded and nothing is loaded.
    await vectors.created(await create('shoe-3', 'Kids running shoe', 'footwear'));
    expect(loads).toBe(0);
    expect(await embeddings.size()).toBe(0);

    await vectors.setEnabled(true);
    expect(loads).toBe(1);
    expect(await embeddings.size()).toBe(4); // the backfill took all four
    const similar = await vectors.store.current.similarTo('shoe-1', 2);
    expect(new Set(similar.map((match) => match.id))).toEqual(new Set(['shoe-2', 'shoe-3']));

    await vectors.setEnabled(false);
    expect(embedder.loaded).toBe(false); // released
    expect(await embeddings.size()).toBe(4); // the vectors are kept

    await vectors.setEnabled(true);
    await vectors.created(await create('boot', 'Hiking boot', 'footwear'));
    expect(loads).toBe(2);
    expect(await embeddings.size()).toBe(5);
    await vectors.close();
    expect(embedder.loaded).toBe(false);
  });
});
