import { describe, expect, it } from 'vitest';
import { formatRecommendations, type RecommendationList } from './recommend.js';

describe('formatRecommendations', () => {
  const empty: RecommendationList = { window: '7d', monthlyBefore: 404.78, monthlyAfter: 404.78, monthlySaving: 0, items: [], existingViolations: [] };
  it('says when "nothing to save" only means usage has not been sampled long enough', () => {
    expect(formatRecommendations(empty)).toBe('No recommendations: nothing found to save at current prices and usage.\n');
    const early = formatRecommendations({ ...empty, tooFewSamples: { minSamples: 10, workloads: 5, of: 6 } });
    expect(early).toContain('5 of 6 workloads have fewer than 10 usage samples in the window, so they are not judged for rightsizing yet');
  });
});
