import { join } from 'node:path';
import { findFreePort } from '../../../src/net/free-port';
import { ServiceProcess } from '../../../src/local/service-process';
import { closeTestHazelcast, testHazelcast, type TestHazelcast } from '../../support/hazelcast';
import { withPolicy } from '../../support/saga-fixtures';
import { call, eventually, startTestSystem, type TestSystem } from '../../support/system';

interface Similar {
  productId: string;
  vectorStoreAvailable: boolean;
  implementation: string;
  message: string;
  similarProducts: Array<{ score: number; product: { productId: string; name: string; category: string } }>;
}

describe('similar products (vector store)', () => {
  let system: TestSystem;
  let hazelcast: TestHazelcast;
  let second: ServiceProcess | undefined;

  const create = async (
    base: string,
    name: string,
    description: string,
    category: string,
  ): Promise<string> => {
    const response = await call('POST', `${base}/api/products`, {
      sku: `V-${Math.random().toString(36).slice(2, 9)}`,
      name,
      description,
      price: '10.00',
      quantityOnHand: 5,
      category,
    });
    expect(response.status).toBe(201);
    return response.body.productId as string;
  };
  const similar = (base: string, productId: string, query = '') =>
    call<Similar>('GET', `${base}/api/products/${productId}/similar${query}`);
  const first = () => system.services.inventory.baseUrl;
  const setFlag = (enabled: boolean) =>
    withPolicy(hazelcast.client, system, { vectorStore: { enabled } }, ['inventory']);

  const EMBEDDINGS = () => `${system.prefix}product-embeddings.all-minilm-l6-v2.view`;
  let shoeA: string;
  let shoeB: string;
  let shoeC: string;
  let kettle: string;

  beforeAll(async () => {
    system = await startTestSystem({ only: ['inventory'] });
    hazelcast = await testHazelcast();
    shoeA = await create(first(), 'Trail running shoe', 'Grippy running shoe for trails', 'footwear');
    shoeB = await create(first(), 'Road running shoe', 'Light running shoe for roads', 'footwear');
    shoeC = await create(first(), 'Kids running shoe', 'Running shoe with velcro', 'footwear');
    kettle = await create(first(), 'Electric kettle', 'Boils water in a minute', 'kitchen');
    await create(first(), 'Espresso machine', 'Makes coffee at home', 'kitchen');
  });
  afterAll(async () => {
    await second?.stop();
    await system?.stop();
    await closeTestHazelcast(hazelcast?.client);
  });

  test('flag off: 200 with vectorStoreAvailable false, a message and no products', async () => {
    const response = await similar(first(), shoeA);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      productId: shoeA,
      vectorStoreAvailable: false,
      implementation: 'none',
      message: expect.stringContaining('spec.vectorStore.enabled'),
      similarProducts: [],
    });
  });

  test('bad limits are 400, a large one is clamped, an unknown product is 404', async () => {
    for (const limit of ['0', '-1', 'abc', '1.5']) {
      const response = await similar(first(), shoeA, `?limit=${limit}`);
      expect(response.status).toBe(400);
    }
    expect((await similar(first(), shoeA, '?limit=500')).status).toBe(200);
    const unknown = await similar(first(), 'no-such-product');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ errorCode: 'PRODUCT_NOT_FOUND' });
  });

  test('flag on live: the mode changes without a restart and products created before are backfilled', async () => {
    await setFlag(true);
    const body = await eventually(
      async () => {
        const response = await similar(first(), shoeA, '?limit=10');
        return (
          response.body.vectorStoreAvailable && response.body.similarProducts.length === 4 && response.body
        );
      },
      20_000,
      'the vector store to serve the backfilled products',
    );
    // setup installs the MiniLM model, so the semantic embedder must be the one in use.
    expect(body.implementation).toBe('hazelcast-imap-hnsw+all-minilm-l6-v2');
    const ids = body.similarProducts.map((match) => match.product.productId);
    expect(ids).not.toContain(shoeA);
    // Same-category products first, best first.
    expect(new Set(ids.slice(0, 2))).toEqual(new Set([shoeB, shoeC]));
    const scores = body.similarProducts.map((match) => match.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores[1]!).toBeGreaterThan(scores[2]! + 0.1);
    expect((await similar(first(), shoeA, '?limit=1')).body.similarProducts).toHaveLength(1);
    const embeddings = await hazelcast.client.getMap(EMBEDDINGS());
    expect(await embeddings.size()).toBe(5);
  });

  test('a product created on one replica is found similar from another', async () => {
    const template = system.services.inventory.options;
    second = new ServiceProcess({
      ...template,
      port: await findFreePort('127.0.0.1'),
      logFile: join(template.logFile, '..', `${system.prefix}inventory-2.log`),
    });
    second.start();
    await second.waitReady();
    const kettle2 = await create(second.baseUrl, 'Stovetop kettle', 'Boils water on gas', 'kitchen');
    // Asked of the first replica, by the new product's id and from an old product's side.
    const fromNew = await similar(first(), kettle2, '?limit=1');
    expect(fromNew.status).toBe(200);
    expect(fromNew.body.similarProducts.map((match) => match.product.productId)).toEqual([kettle]);
    await eventually(
      async () =>
        (await similar(first(), kettle, '?limit=1')).body.similarProducts[0]?.product.productId === kettle2,
      10_000,
      'the first replica to index the second one’s product',
    );
  });

  test('answers are semantic: related products with no words in common rank first', async () => {
    const settee = await create(
      first(),
      'Three-seat settee',
      'Deep cushions and a hardwood frame',
      'Living room',
    );
    const loveseat = await create(first(), 'Velvet loveseat', 'Compact two-seater', 'Furniture');
    const laptop = await create(first(), 'Gaming laptop', 'Fast graphics and a big screen', 'Computers');
    const body = await eventually(
      async () => {
        const response = await similar(first(), settee, '?limit=3');
        return response.body.similarProducts.length === 3 && response.body;
      },
      10_000,
      'the new products to be indexed',
    );
    // No word in common with the settee, yet first: the hashing embedder could not find it at all.
    expect(body.similarProducts[0]!.product.productId).toBe(loveseat);
    const scoreOf = (id: string) =>
      body.similarProducts.find((match) => match.product.productId === id)?.score ?? -1;
    expect(scoreOf(loveseat)).toBeGreaterThan(scoreOf(laptop));
  });

  test('a replica without the model (HMS_EMBEDDER=hashing) serves the lexical fallback, and says so', async () => {
    const template = system.services.inventory.options;
    const lexical = new ServiceProcess({
      ...template,
      port: await findFreePort('127.0.0.1'),
      env: { ...template.env, HMS_EMBEDDER: 'hashing' },
      logFile: join(template.logFile, '..', `${system.prefix}inventory-lexical.log`),
    });
    lexical.start();
    try {
      await lexical.waitReady();
      const body = await eventually(
        async () => {
          const response = await similar(lexical.baseUrl, shoeA, '?limit=2');
          return response.body.similarProducts.length === 2 && response.body;
        },
        20_000,
        'the lexical replica to backfill its own embeddings',
      );
      expect(body.vectorStoreAvailable).toBe(true);
      expect(body.implementation).toBe('hazelcast-imap-hnsw+hashing-384');
      expect(body.message).toContain('hashing-384');
      // The shoes share words, so even the lexical embedder finds them.
      expect(new Set(body.similarProducts.map((match) => match.product.productId))).toEqual(
        new Set([shoeB, shoeC]),
      );
      // Its vectors live in a map of their own: the two vector spaces never mix.
      const lexicalMap = await hazelcast.client.getMap(`${system.prefix}product-embeddings.hashing-384.view`);
      expect(await lexicalMap.size()).toBe(9);
    } finally {
      await lexical.stop();
    }
  });

  test('flag off again: stops serving, keeps the vectors; a restart with the flag on serves them', async () => {
    await setFlag(false);
    await eventually(
      async () => !(await similar(first(), shoeA)).body.vectorStoreAvailable,
      10_000,
      'the vector store to turn off',
    );
    const embeddings = await hazelcast.client.getMap(EMBEDDINGS());
    expect(await embeddings.size()).toBe(9);

    await setFlag(true);
    await second?.stop();
    second = undefined;
    await system.restart('inventory');
    const body = await eventually(
      async () => {
        const response = await similar(first(), shoeA);
        return (
          response.body.vectorStoreAvailable && response.body.similarProducts.length > 0 && response.body
        );
      },
      20_000,
      'the restarted replica to serve the stored vectors',
    );
    expect(new Set(body.similarProducts.slice(0, 2).map((match) => match.product.productId))).toEqual(
      new Set([shoeB, shoeC]),
    );
  });
});
