// A replica process is workload code: it inherits the agent's environment but never the agent's
// bearer token (a managed agent's credential, or the user's token of `truststram agent`).
import { afterEach, describe, expect, it } from 'vitest';
import { createProcessRuntime } from './process-runtime.js';
import type { RunningReplica } from './runtime.js';

const saved = process.env.TRUSTSTRAM_TOKEN;
let replica: RunningReplica | undefined;
afterEach(async () => {
  await replica?.stop(1000);
  replica = undefined;
  if (saved === undefined) delete process.env.TRUSTSTRAM_TOKEN;
  else process.env.TRUSTSTRAM_TOKEN = saved;
});

describe('the process runtime', () => {
  it('passes the agent environment to a replica, without TRUSTSTRAM_TOKEN', async () => {
    process.env.TRUSTSTRAM_TOKEN = 'agent-secret-7d1e';
    process.env.TRUSTSTRAM_RUNTIME_TEST = 'inherited';
    replica = await createProcessRuntime().start({
      cluster: 'c1',
      workload: { namespace: 'team-a', name: 'env' },
      replica: 'env-0',
      command: ['sh', '-c', 'echo "token=[${TRUSTSTRAM_TOKEN:-}] other=[$TRUSTSTRAM_RUNTIME_TEST] own=[$OWN]"'],
      env: { OWN: 'spec' },
      cwd: process.cwd(),
      resources: { cpu: 0.1, memory: 1 },
    });
    await replica.exited;
    // Output can trail the exit event by a tick.
    for (let i = 0; i < 50 && !replica.outputTail().includes('token='); i++) await new Promise((r) => setTimeout(r, 20));
    delete process.env.TRUSTSTRAM_RUNTIME_TEST;
    expect(replica.outputTail()).toContain('token=[] other=[inherited] own=[spec]');
  });
});
