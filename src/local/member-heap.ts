/**
 * The local member's heap: 4g, sized for `npm run bench:soak` (10 minutes at 200 iterations/s of the mixed
 * workload) in memory mode, where the grid holds the whole history.
 *
 * The rule: heap ≥ (kept bytes × copies + ringbuffer bytes) / 0.5, i.e. the live set at most half the heap,
 * so G1 collects it without long pauses and the write guard's 85 % high-water mark is far away.
 *   kept bytes       ≈ 5.7 KB per two-line order (event stores, views, saga record, ledgers; issue 11's
 *                      figure) × orders; a new customer or a direct reservation keeps less, count it as one
 *   copies           1 on the one local member (no other member to hold backups); 2 on a multi-member
 *                      cluster with backup-count 1
 *   ringbuffer bytes ≈ 1 KB per event × min(capacity, events published), for every `*.stream` partition
 * The soak: 120 000 iterations, 60 % of them orders → 72 000 orders × 5.7 KB ≈ 410 MB, plus 48 000 other
 * iterations × ~2 KB ≈ 100 MB, plus ≤ 500 000 events in the ringbuffers ≈ 500 MB: ≈ 1 GB live → 2 GB by the
 * rule; 4g leaves as much again for longer runs. A full set of ringbuffers (4 streams × 8 partitions ×
 * 50 000 entries ≈ 1.6 GB at 1 KB an event) still fits under the guard's mark with that history beside it.
 * `npm run bench:soak` measures the real growth. HAZELCAST_HEAP overrides it (e.g. 512m to see the guard trip).
 */
export const LOCAL_MEMBER_HEAP = '4g';
