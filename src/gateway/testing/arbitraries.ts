// fast-check generators of fleets for residency properties: clusters in several jurisdictions
// (some with unknown regions), placements that may cross the boundary, endpoints ready or not.
import fc from 'fast-check';

const JURISDICTIONS = ['eu', 'us', 'uk', 'ch', 'apac'] as const;

/** A generated fleet: clusters with explicit residency, placements and endpoints for one workload. */
export const fleetArb = fc.record({
  residency: fc.uniqueArray(fc.constantFrom(...JURISDICTIONS), { minLength: 1, maxLength: 3 }),
  clusters: fc.uniqueArray(
    fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
      residency: fc.constantFrom(...JURISDICTIONS, undefined),
      region: fc.constantFrom('eu-west-1', 'us-east-1', 'eu-west-2', 'ap-southeast-1', 'nowhere-1'),
      phase: fc.constantFrom('Ready' as const, 'NotReady' as const),
      endpoints: fc.array(fc.boolean(), { maxLength: 3 }),
      placed: fc.nat(3),
    }),
    { selector: (c) => c.name, maxLength: 8 },
  ),
});

