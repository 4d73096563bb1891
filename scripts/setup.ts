/**
 * `npm run setup`: everything the local run and the integration tests need besides node_modules —
 * the Hazelcast member jar and the MiniLM embedding model (both fetched once with Maven into a cache outside
 * the repo) and Java 17+.
 */
import fs from 'node:fs';
import { ensureHazelcastJar, HAZELCAST_VERSION, MIN_JAVA_MAJOR, requireJava } from '../src/hazelcast/jar';
import { defaultConfigPath } from '../src/hazelcast/member';
import { ensureMiniLmModel, MINILM_VERSION, miniLmModelSize } from '../src/vectors/embedding-model';

async function main(): Promise<void> {
  const log = (line: string): void => console.log(`[setup] ${line}`);
  const jar = await ensureHazelcastJar({ log });
  const model = await ensureMiniLmModel({ log });
  log(`Checking Java ${MIN_JAVA_MAJOR}+ …`);
  const java = await requireJava();
  const config = defaultConfigPath();
  if (!fs.existsSync(config)) throw new Error(`Member config missing: ${config}`);
  console.log(
    `[setup] OK: Hazelcast ${HAZELCAST_VERSION} jar ${jar} (${megabytes(jar)} MB), ` +
      `Java ${java.version} (${java.command}), member config ${config}`,
  );
  console.log(
    `[setup] OK: embedding model all-MiniLM-L6-v2 (langchain4j ${MINILM_VERSION}) ${model.dir} ` +
      `(${(miniLmModelSize() / 1024 / 1024).toFixed(1)} MB)`,
  );
}

function megabytes(file: string): string {
  return (fs.statSync(file).size / 1024 / 1024).toFixed(1);
}

main().catch((error: unknown) => {
  console.error(`[setup] FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
