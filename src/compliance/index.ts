// Compliance: runtime policy re-evaluation (a controller), the compliance report (policy
// verdicts, residency map, audit chain, failover history) in JSON/text/HTML, and the offline
// evidence bundle. Other components import only from here.
export * from './types.js';
export { evaluatePolicies, evaluatePlacementStage, tallies, SKIPPED_KINDS, type PolicyInputs } from './policies.js';
export { buildResidencyMap, clusterJurisdiction, workloadKey, type RouteBuilder, type RouteTableView } from './residency.js';
export { computeFailoverHistory, loadFailoverInputs, affectedWorkloads, RECOVERY_METHOD, type FailoverInputs } from './failover.js';
export { buildComplianceReport, REPORTED_KINDS, DEFAULT_HISTORY_MS, type ReportOptions } from './report.js';
export { renderReportText, formatDuration } from './render-text.js';
export { renderReportHtml, escapeHtml } from './render-html.js';
export { verifyAuditSlice, type SliceExpectation, type SliceProblem } from './audit-slice.js';
export { buildEvidenceBundle, writeEvidenceBundle, verifyEvidenceBundle, MANIFEST_FILE, BUNDLE_FILES, type BundleInputs, type BundleManifest, type BundleProblem, type BundleVerifyResult } from './bundle.js';
export { complianceController, policyStatus, violationId, COMPLIANCE_CONTROLLER, POLICY_VIOLATION, type ComplianceControllerOptions, type PolicyStatus } from './controller.js';
export { complianceViews, type ComplianceViewOptions, type ObjectVerdicts } from './views.js';
