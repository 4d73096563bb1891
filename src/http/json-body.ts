import type { IncomingMessage } from 'node:http';
import { invalidArgument, payloadTooLarge } from './api-error';

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export interface JsonBody {
  /** The body as received, for hashing (idempotency) or auditing. */
  readonly raw: string;
  readonly value: unknown;
}

/**
 * Reads a JSON request body, or undefined when there is none. Never buffers more than limitBytes:
 * an oversized body is refused from its Content-Length before reading, or as soon as the streamed
 * bytes pass the limit (the rest is drained unbuffered so the 413 can still reach the client).
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<JsonBody | undefined> {
  if (!hasBody(req)) return undefined;
  checkContentType(req.headers['content-type']);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw payloadTooLarge(limitBytes);
  const bytes = await readBytes(req, limitBytes);
  if (bytes.length === 0) return undefined;
  const raw = decodeUtf8(bytes);
  return { raw, value: parseJson(raw) };
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

function checkContentType(header: string | undefined): void {
  const [type = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') {
    throw invalidArgument(
      `Content-Type must be application/json, got ${header === undefined ? 'none' : `'${header}'`}`,
      { contentType: header ?? null },
    );
  }
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw invalidArgument(`Unsupported charset '${charset}': request bodies must be UTF-8`, { charset });
  }
}

function readBytes(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Gone before we started reading (it waited its turn, say): its 'close' has fired, no 'end' will come.
    if (req.destroyed) {
      reject(invalidArgument('Request body was not fully received'));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limitBytes) {
        cleanup();
        chunks.length = 0;
        req.resume();
        reject(payloadTooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, received));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(invalidArgument(`Request body could not be read: ${error.message}`));
    };
    const onClose = (): void => {
      if (req.complete) return;
      cleanup();
      reject(invalidArgument('Request body was not fully received'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalidArgument('Malformed JSON body: not valid UTF-8');
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidArgument(`Malformed JSON body: ${reason}`);
  }
}
