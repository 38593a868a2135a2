// The pipeline, assembled in one place: filter → score → (optimiser: select, divide). The
// order of the filters matters only for which reason a user sees first and for speed.
import { capacityFilter } from '../plugins/capacity/capacity.js';
import { clusterAffinityFilter } from '../plugins/cluster-affinity/cluster-affinity.js';
import { costScorer } from '../plugins/cost/cost.js';
import { healthFilter } from '../plugins/health/health.js';
import { latencyScorer } from '../plugins/latency/latency.js';
import { policyHookFilter } from '../plugins/policy-hook/policy-hook.js';
import { residencyFilter } from '../plugins/residency/residency.js';
import { spotFilter } from '../plugins/spot/spot.js';
import { spreadScorer } from '../plugins/spread/spread.js';
import { staticWeightsFilter } from '../plugins/static-weights/static-weights.js';
import { stickinessScorer } from '../plugins/stickiness/stickiness.js';
import { taintTolerationFilter } from '../plugins/taint-toleration/taint-toleration.js';
import type { FilterPlugin, ScorePlugin } from './contract.js';
import { createRegistry, type PluginArgs, type Registry } from './registry.js';

/** The default registry with every built-in plugin. */
export function defaultRegistry(): Registry {
  const r = createRegistry();
  r.registerFilter('residency', () => residencyFilter());
  r.registerFilter('health', () => healthFilter());
  r.registerFilter('cluster-affinity', () => clusterAffinityFilter());
  r.registerFilter('static-weights', () => staticWeightsFilter());
  r.registerFilter('taint-toleration', () => taintTolerationFilter());
  r.registerFilter('spot', () => spotFilter());
  r.registerFilter('capacity', () => capacityFilter());
  r.registerFilter('policy-hook', (a) => policyHookFilter(a.policy));
  r.registerScore('cost', () => costScorer());
  r.registerScore('latency', () => latencyScorer());
  r.registerScore('spread', () => spreadScorer());
  r.registerScore('stickiness', () => stickinessScorer());
  return r;
}

/**
 * Filter order (first rejection wins, so this is also the order of explanations):
 * - residency first: it is the hard legal boundary and the reason a user must see first;
 * - health next: a down cluster is down whatever the workload asks;
 * - the user's own choices (affinity, static weights, taints, spot) are cheap lookups;
 * - capacity after them, because "too small" is meaningless for a cluster already excluded;
 * - the policy hook last: it may evaluate CEL, the most expensive check.
 */
export const FILTER_ORDER = ['residency', 'health', 'cluster-affinity', 'static-weights', 'taint-toleration', 'spot', 'capacity', 'policy-hook'] as const;

/** Scorers: cost drives the optimiser's objective; the others explain and break ties. */
export const SCORE_ORDER = ['cost', 'latency', 'spread', 'stickiness'] as const;

export interface Pipeline {
  filters: FilterPlugin[];
  scorers: ScorePlugin[];
}

/** Builds the filter and score chains from a registry (the default one unless given). */
export function buildPipeline(args: PluginArgs = {}, registry: Registry = defaultRegistry()): Pipeline {
  return {
    filters: FILTER_ORDER.map((n) => registry.filter(n, args)),
    scorers: SCORE_ORDER.map((n) => registry.score(n, args)),
  };
}
