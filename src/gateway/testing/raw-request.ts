// A raw HTTP/1.1 exchange for tests of what clients send wrong: the bytes are written as given,
// and what came back is returned once the server closed the connection (or `waitMs` passed).
import { connect } from 'node:net';

export interface RawReply {
  text: string;
  /** Milliseconds until the server closed the connection; undefined when it was still open. */
  closedAfterMs: number | undefined;
}

export function rawRequest(port: number, data: string, waitMs = 3000): Promise<RawReply> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(data));
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ text, closedAfterMs: undefined });
    }, waitMs);
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
  });
}
