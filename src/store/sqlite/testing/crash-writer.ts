// Child process for the crash test: applies batches of three objects forever and prints each
// acknowledged batch, until the parent kills it with SIGKILL. Usage: crash-writer.ts DB RUN
import { openSqliteStore } from '../sqlite-store.js';

const [path, run] = process.argv.slice(2);
if (!path || !run) throw new Error('usage: crash-writer.ts DB_PATH RUN_ID');
const store = openSqliteStore({ path });
for (let i = 0; ; i++) {
  const batch = `${run}-${i}`;
  const res = await store.apply(
    ['a', 'b', 'c'].map((part) => ({
      verb: 'create' as const,
      object: { apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', metadata: { name: `${batch}-${part}`, namespace: 'crash', labels: { batch } }, spec: { i, part } },
    })),
    { actor: 'test:crash-writer', reason: `batch ${batch}` },
  );
  if (i % 4 === 0) await store.recordDecision({ actor: 'test:crash-writer', verb: 'checkpoint', details: { batch } });
  // Written only after apply() resolved, i.e. after the commit was fsynced: an acknowledgement.
  process.stdout.write(`ack ${batch} ${res.resourceVersion}\n`);
}
