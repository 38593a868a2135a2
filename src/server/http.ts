// Reading request bodies and writing JSON replies. Every way a body can be bad (too big, wrong
// media type, not UTF-8, not JSON, nested too deeply) becomes a typed 4xx error here, before any handler logic.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError, jsonTextNestingExceeds, MAX_NESTING_DEPTH, PayloadTooLargeError, UnsupportedMediaTypeError } from '../api/index.js';
import { ClientGoneError } from './errors.js';

export const JSON_TYPE = 'application/json';
export const MERGE_PATCH_TYPE = 'application/merge-patch+json';

/** `application/json; charset=utf-8` → `{ type: 'application/json', charset: 'utf-8' }`. */
export function parseContentType(header: string | undefined): { type: string; charset?: string } | undefined {
  if (!header) return undefined;
  const [type, ...params] = header.split(';');
  const out: { type: string; charset?: string } = { type: type!.trim().toLowerCase() };
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k?.trim().toLowerCase() === 'charset' && v) out.charset = v.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return out;
}

/**
 * Reads the body as JSON. Checks run cheapest first: media type, declared length, then the
 * bytes as they arrive — reading stops at the limit so a huge body costs at most `limit` bytes.
 */
export async function readJsonBody(req: IncomingMessage, limit: number, contentTypes: readonly string[] = [JSON_TYPE]): Promise<{ value: unknown; contentType: string }> {
  const ct = parseContentType(req.headers['content-type']);
  if (!ct || !contentTypes.includes(ct.type))
    throw new UnsupportedMediaTypeError(`Content-Type must be ${contentTypes.join(' or ')}${ct ? `, got "${ct.type}"` : ''}`);
  if (ct.charset && ct.charset !== 'utf-8' && ct.charset !== 'utf8') throw new UnsupportedMediaTypeError(`charset must be utf-8, got "${ct.charset}"`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  // A declared length over the limit is refused without reading, unless the body is small
  // enough to drain so that the client (still sending it) gets the 413 rather than a reset.
  if (declared > limit + LINGER_MAX_BYTES) throw tooLarge(limit);
  const bytes = await readBytes(req, limit);
  if (bytes.length === 0) throw new BadRequestError('request body is empty: expected a JSON document');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequestError('request body is not valid UTF-8: expected a JSON document');
  }
  // Refused before parsing: everything downstream walks documents recursively.
  if (jsonTextNestingExceeds(text, MAX_NESTING_DEPTH))
    throw new BadRequestError(`request body nests arrays and objects more than ${MAX_NESTING_DEPTH} levels deep`);
  try {
    return { value: JSON.parse(text) as unknown, contentType: ct.type };
  } catch (err) {
    throw new BadRequestError(`request body is not valid JSON: ${(err as Error).message}`);
  }
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is larger than the limit of ${limit} bytes`);
}

/**
 * How much of a body over the limit is still read (and dropped) so that the 413 reaches the
 * client: closing a socket with unread data makes the kernel reset the connection, and a client
 * still sending then loses the answer ("EPIPE" instead of "too large"). Past these bounds the
 * reply goes at once, as before (nginx's lingering close works the same way).
 */
const LINGER_MAX_BYTES = 64 * 1024 * 1024;
const LINGER_MAX_MS = 5000;
/** A client that stops sending while over the limit gets its 413 after this much silence. */
const LINGER_IDLE_MS = 500;

function readBytes(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overSince = 0;
    let lingerTimer: NodeJS.Timeout | undefined;
    let idleTimer: NodeJS.Timeout | undefined;
    const done = (err?: Error) => {
      clearTimeout(lingerTimer);
      clearTimeout(idleTimer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const refuse = () => {
      // Stop consuming: the reply carries `Connection: close` and the socket goes away with it.
      req.pause();
      done(tooLarge(limit));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) {
        chunks.push(c);
        return;
      }
      if (!overSince) {
        overSince = Date.now();
        chunks.length = 0;
        lingerTimer = setTimeout(refuse, LINGER_MAX_MS);
        lingerTimer.unref();
      }
      if (size - limit > LINGER_MAX_BYTES) return refuse();
      clearTimeout(idleTimer);
      idleTimer = setTimeout(refuse, LINGER_IDLE_MS);
      idleTimer.unref();
    };
    const onEnd = () => (overSince ? done(tooLarge(limit)) : done());
    const onGone = () => done(new ClientGoneError());
    const onClose = () => {
      if (!req.complete) done(new ClientGoneError());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onClose);
  });
}

/** Formats warnings the way the Kubernetes API server does: `299 - "message"`. */
export function warningHeader(warnings: string[]): string[] {
  // Header values must be visible ASCII: drop anything else rather than fail the reply.
  return warnings.map((w) => `299 - "${w.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'")}"`);
}

/**
 * Makes `res` answer a HEAD request: the GET handler runs unchanged, and the response ends as
 * soon as it sends its headers (`writeHead` + `end`, `flushHeaders` or a first `write`), so a
 * streaming handler (a watch, an export) never holds a HEAD open. Node itself drops any body
 * of a HEAD response and keeps the headers, `Content-Length` included, as GET would send them.
 * Ending the response fires its `close`, which aborts the handler's signal.
 */
export function answerHeadOnly(res: ServerResponse): void {
  const end = () => {
    if (!res.writableEnded && !res.destroyed) res.end();
  };
  res.flushHeaders = end;
  // Later writes of a streaming handler are dropped: writing after end would be an error.
  res.write = ((..._args: unknown[]) => {
    end();
    return true;
  }) as ServerResponse['write'];
}

/** Writes a JSON reply unless the response is already under way or the client is gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}
