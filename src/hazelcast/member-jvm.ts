/**
 * JVM flags every member gets, locally (src/hazelcast/member.ts) and on Kubernetes (the chart's JAVA_OPTS).
 * G1's default 200 ms pause target set the saga latency tail on 2 cores; 20 ms trades a little throughput
 * for short pauses (docs/benchmarks.md, bench:saga item 1).
 */
export const MEMBER_GC_FLAGS: readonly string[] = ['-XX:MaxGCPauseMillis=20'];
