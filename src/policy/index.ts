// The CEL policy engine: compile policies once, judge objects at admission, clusters at
// placement and everything stored at runtime. Other components import only from here.
export * from './types.js';
export { createPolicyEngine, type PolicyEngineOptions } from './engine.js';
export { compilePolicy, type CompiledPolicy, type CompiledRule } from './compile.js';
export { createAdmissionHook, createPlacementHook, formatVerdict, type AdmissionHookOptions, type AdmissionHookRequest, type AdmissionHookResult, type PlacementObjects } from './adapters.js';
export { BASELINE_DIR, loadBaselinePolicies } from './baseline.js';
export { COST_LIMIT } from './cost.js';
export { INPUT_LIMITS } from './cel-types.js';
