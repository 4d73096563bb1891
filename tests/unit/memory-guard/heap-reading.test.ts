import { parseHeapReading } from '../../../src/memory-guard/heap-reading';

// Lines as the JMX exporter agent 1.0.1 writes them for a member started with -Xmx256m (G1).
const AGENT_1X = `
# HELP jvm_memory_max_bytes Max (bytes) of a given JVM memory area.
# TYPE jvm_memory_max_bytes gauge
jvm_memory_max_bytes{area="heap"} 2.68435456E8
jvm_memory_max_bytes{area="nonheap"} -1.0
jvm_memory_pool_collection_max_bytes{pool="G1 Eden Space"} -1.0
jvm_memory_pool_collection_max_bytes{pool="G1 Old Gen"} 2.68435456E8
jvm_memory_pool_collection_used_bytes{pool="G1 Eden Space"} 0.0
jvm_memory_pool_collection_used_bytes{pool="G1 Old Gen"} 1.1767808E7
jvm_memory_pool_collection_used_bytes{pool="G1 Survivor Space"} 414272.0
jvm_memory_pool_used_bytes{pool="G1 Old Gen"} 9.9E7
`;

describe('the member heap from the JMX exporter', () => {
  it('reads the old generation against its maximum: now, when promotions ran ahead of its last collection', () => {
    expect(parseHeapReading(AGENT_1X)).toEqual({ oldGenBytes: 99_000_000, maxBytes: 268_435_456 });
  });

  it('reads the old generation after its last collection when that is the larger (or the only) figure', () => {
    const afterGcOnly = AGENT_1X.replace(/^jvm_memory_pool_used_bytes.*$/m, '');
    expect(parseHeapReading(afterGcOnly)).toEqual({ oldGenBytes: 11_767_808, maxBytes: 268_435_456 });
  });

  it("falls back to the heap's maximum (0.x names) when the pool reports none", () => {
    const agent0x = [
      'jvm_memory_bytes_max{area="heap",} 5.36870912E8',
      'jvm_memory_pool_collection_used_bytes{pool="PS Old Gen",} 1.0E8',
    ].join('\n');
    expect(parseHeapReading(agent0x)).toEqual({ oldGenBytes: 1e8, maxBytes: 536_870_912 });
  });

  it('fails clearly on metrics without an old-generation pool', () => {
    expect(() => parseHeapReading('jvm_memory_max_bytes{area="heap"} 1')).toThrow(
      /no jvm_memory_pool_collection_used_bytes for an old-generation pool/,
    );
  });
});
