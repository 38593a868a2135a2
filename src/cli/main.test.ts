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

  it.each([['apply'], ['plan'], ['get'], ['describe'], ['delete'], ['audit', 'log'], ['audit', 'verify'], ['schedule'], ['catalog', 'show'], ['server'], ['demo']])(
    '%s --help shows usage, options and exits 0',
    async (...cmd) => {
      const r = await run([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: truststram /);
      expect(r.stdout).toContain('Options:');
    },
  );

  it.each([
    [['nope'], "unknown command 'nope'"],
    [['get'], "missing required argument 'kind'"],
    [['get', 'gadgets'], 'unknown resource type "gadgets"'],
    [['get', 'clusters', '-o', 'xml'], 'unknown output format "xml"'],
    [['describe', 'workload'], "missing required argument 'name'"],
    [['apply'], 'no input: give -f FILE'],
    [['delete'], 'give -f FILE, or KIND and NAME'],
    [['delete', 'workload', 'x', '-f', 'a.yaml'], 'not both'],
    [['apply', '-f', 'x.yaml', '--prune'], '--prune needs -l SELECTOR'],
    [['schedule', '--fleet', 'f.yaml'], "required option '--workloads <file>'"],
    [['audit', 'log', '--since', 'soon'], '--since'],
    [['server', '--failback-after', 'soon'], 'error: invalid --failback-after "soon": expected a positive duration such as 5s, 30s or 2m'],
  ])('%j is a usage error (exit 1): %s', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(message);
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
