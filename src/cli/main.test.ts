// The CLI in-process against buffers: exit codes and error formatting without spawning.
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env };
  return main(['node', 'truststram', ...args], io).then((code) => ({ code, stdout, stderr }));
}

describe('main', () => {
  it('prints help with no arguments and exits 0', async () => {
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: truststram');
  });

  it('usage errors are exit 1', async () => {
    expect((await run(['nope'])).code).toBe(1);
    expect((await run(['get'])).code).toBe(1);
    expect((await run(['get', 'clusters', '-o', 'xml'])).stderr).toContain('unknown output format "xml"');
  });

  it('local validation errors name the file, document and field, one line per cause', async () => {
    const r = await run(['apply', '-f', 'does/not/exist.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toEqual(['error: invalid input; nothing was changed', 'does/not/exist.yaml: no such file or directory', '']);
  });

  it('an unreachable server is exit 2 and names the address', async () => {
    const r = await run(['get', 'clusters'], { TRUSTSTRAM_SERVER: 'http://127.0.0.1:9' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot reach the TrustStram server at http://127.0.0.1:9');
  });
});
