// Sending a request body with node:http instead of fetch: a server may answer before it has read
// the body (413 on the declared length) and close the connection, and fetch then reports only
// the broken pipe (EPIPE, ECONNRESET). Here the answer wins over the failed upload.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

// Written piece by piece, waiting for the socket to drain, so an early answer stops the upload.
const CHUNK_BYTES = 64 * 1024;

/**
 * Sends `body` with `method` to `url` and resolves to the server's answer as a fetch Response,
 * even when the connection breaks while the body is still being sent: the answer that came first
 * wins, and when the break lost it, {@link askAboutLength} asks again without the body. Rejects
 * with the socket error when the server gave no answer at all.
 * @example const res = await sendBody('http://127.0.0.1:7400/api/v1alpha1/apply', 'POST', { 'content-type': 'application/json' }, '{}');
 */
export async function sendBody(url: string, method: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<Response> {
  const data = Buffer.from(body, 'utf8');
  try {
    return await upload(url, method, headers, data, signal);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (signal?.aborted || (code !== 'EPIPE' && code !== 'ECONNRESET')) throw err;
    const refusal = await askAboutLength(url, method, headers, data.length);
    if (refusal) return refusal;
    throw err;
  }
}

function upload(url: string, method: string, headers: Record<string, string>, data: Buffer, signal?: AbortSignal): Promise<Response> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(u, { method, headers: { ...headers, 'content-length': String(data.length) }, ...(signal ? { signal } : {}) });
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      readAnswer(res).then(resolve, reject);
    });
    // After an answer, a broken upload is the server closing a request it has already refused.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    let offset = 0;
    const writeMore = (): void => {
      while (!answered && offset < data.length) {
        const piece = data.subarray(offset, offset + CHUNK_BYTES);
        offset += piece.length;
        if (!req.write(piece)) {
          req.once('drain', writeMore);
          return;
        }
      }
      if (!answered) req.end();
    };
    writeMore();
  });
}

/**
 * A server that refuses a body by its declared length (413) answers and closes at once; the
 * reset of a connection with unread data can make the client's TCP stack drop that answer
 * before it is read (EPIPE, ECONNRESET on our side). Sending the same headers with no body gets
 * the same refusal without the race. Resolves to that refusal (a 4xx answer), or undefined when
 * the server answers nothing within `waitMs` (it waits for the body: the length was not why) or
 * cannot be reached. Nothing is ever processed: the body is never sent.
 */
export function askAboutLength(url: string, method: string, headers: Record<string, string>, length: number, waitMs = 2000): Promise<Response | undefined> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(u, { method, headers: { ...headers, 'content-length': String(length) } });
    const timer = setTimeout(() => finish(undefined), waitMs);
    const finish = (answer: Response | undefined) => {
      clearTimeout(timer);
      req.destroy();
      resolve(answer);
    };
    req.on('response', (res: IncomingMessage) => {
      void readAnswer(res).then((answer) => finish(answer.status >= 400 && answer.status < 500 ? answer : undefined));
    });
    req.on('error', () => finish(undefined));
    req.flushHeaders();
  });
}

// The answer's body; cut short (the server closed the connection after a refusal), what arrived
// is dropped and the status alone speaks.
function readAnswer(res: IncomingMessage): Promise<Response> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const status = res.statusCode ?? 502;
    const done = (complete: boolean) => {
      // A Response cannot carry a body for these statuses.
      const empty = !complete || status === 204 || status === 304;
      resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers }));
    };
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(res.complete));
    res.on('error', () => done(false));
    res.on('aborted', () => done(false));
    res.on('close', () => done(res.complete));
  });
}
