import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { latencyScorer, userLatencyMs } from './latency.js';

describe('latency scorer', () => {
  const dublin = cc('dub', { region: 'eu-west-1' }, 0);
  const virginia = cc('iad', { region: 'us-east-1' }, 1);
  it('estimates a lower RTT to the users’ own region', () => {
    const w = cw({ users: [{ region: 'eu-west-1' }] });
    expect(userLatencyMs(w, dublin)).toBeLessThan(userLatencyMs(w, virginia));
    expect(latencyScorer().score(w, dublin, { feasible: [dublin, virginia] })).toBe(100);
    expect(latencyScorer().score(w, virginia, { feasible: [dublin, virginia] })).toBeLessThan(50);
  });
  it('scores 100 when the workload names no users', () => {
    expect(latencyScorer().score(cw(), virginia, { feasible: [dublin, virginia] })).toBe(100);
  });
});
