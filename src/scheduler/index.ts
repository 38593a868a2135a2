// The placement engine's public API. Everything outside src/scheduler imports from here.
export { schedule, scheduleWith, DEFAULT_TIME_LIMIT_MS, type ScheduleInput, type ScheduleResult, type WorkloadPlacement, type Unschedulable } from './schedule.js';
export { scheduleOffline, formatScheduleTable, type OfflineOptions, type OfflineResult } from './offline.js';
export { createFleetState, evictOutsideResidency, placeOne, replaceFailed, type FleetState, type IncrementalResult, type FailoverResult, type ResidencyEviction } from './incremental.js';
export { compileProblem, LATENCY_WEIGHT, type CompileOptions } from './model/compile.js';
export { ReasonCode, UnschedulableCode, type FilterPlugin, type ScorePlugin, type Result, type PolicyHook, type ClusterVerdict } from './framework/contract.js';
export { createRegistry, type Registry } from './framework/registry.js';
export { defaultRegistry, FILTER_ORDER, SCORE_ORDER } from './framework/pipeline.js';
export { websterDivide } from './divide/webster.js';
export { loadSolver } from './optimise/lp.js';
export type { Explanation } from './explain/explain.js';
export { explainOne, type ExplainOneInput, type WorkloadExplanation } from './explain/explain-one.js';
export type { SurviveWarning } from './analysis/survive.js';
