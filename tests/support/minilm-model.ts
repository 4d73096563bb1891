import vm from 'node:vm';
import {
  isMiniLmModelInstalled,
  miniLmModelDir,
  miniLmModelFiles,
  type MiniLmModelFiles,
} from '../../src/vectors/embedding-model';

/** The model `npm run setup` installs; its absence fails the test file loudly, never skips it. */
export function installedMiniLmModel(): MiniLmModelFiles {
  if (!isMiniLmModelInstalled()) {
    throw new Error(`The MiniLM model is not installed in ${miniLmModelDir()}: run \`npm run setup\` first.`);
  }
  return miniLmModelFiles();
}

/**
 * Jest runs tests in a vm context with its own typed-array constructors, while the onnxruntime addon creates
 * its results with the main context's: onnxruntime-common's `instanceof Float32Array` check then rejects
 * every result. Using the main context's constructors (before onnxruntime loads) makes them agree, as in
 * plain Node. Only tests that run inference need this.
 */
export function shareTypedArraysWithNativeAddons(): void {
  const kinds = 'Float32 Float64 Float16 Int8 Int16 Int32 Uint16 Uint32 BigInt64 BigUint64'.split(' ');
  for (const name of kinds.map((kind) => `${kind}Array`)) {
    const shared: unknown = vm.runInThisContext(`typeof ${name} === 'undefined' ? undefined : ${name}`);
    if (shared) Object.assign(globalThis, { [name]: shared });
  }
}
