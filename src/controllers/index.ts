// Controllers: the reconcile runtime and every control loop. Import from here.
export * from './runtime/index.js';
export * from './events/recorder.js';
export { placementController, PLACEMENT_CONTROLLER, type PlacementControllerOptions } from './placement/placement-controller.js';
export { planPlacements, clusterIsUp, type PlacementPlan, type PlacementChange } from './placement/plan.js';
export { residencyAdmissionHook } from './placement/admission.js';
export { healthController, judgeCluster, HEALTH_CONTROLLER, type HealthControllerOptions } from './health/health-controller.js';
export { statusController, STATUS_CONTROLLER, type StatusControllerOptions } from './status/status-controller.js';
export { computeWorkloadStatus, type WorkloadStatus } from './status/workload-status.js';
