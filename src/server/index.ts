// The HTTP API server: Kubernetes-style REST for every kind, atomic apply/plan/delete, audit
// views, discovery, health and metrics. Other components add views through `views` or `route`.
export { startServer, type RunningServer } from './server.js';
export { compileServerOptions, parseListen, DEFAULT_LISTEN, DEFAULT_MAX_BODY_BYTES, type ServerOptions, type CompiledServerOptions } from './options.js';
export { runAdmission, type AdmissionHook, type AdmissionRequest, type AdmissionResult, type AdmissionOperation } from './admission.js';
export { createRouter, METHODS, type View, type Handler, type Reply, type RequestContext, type Method, type Router, type Match } from './router.js';
export { mergePatch } from './merge-patch.js';
export { diffObjects, type FieldChange } from './diff.js';
export { parseIntParam, badParam } from './query.js';
export { API_PREFIX, parseResourcePath, type ResourcePath } from './paths.js';
export { parseTokenFile, ANONYMOUS } from './auth.js';
export { createInternalCredentials, agentIdentity, agentClusterOf, AGENT_IDENTITY_PREFIX, type InternalCredentials } from './credentials.js';
export type { ApplyRequest, SourceLocation } from './apply.js';
export { createLeaseTable, leaseViews, type Lease, type LeaseTable } from './leases.js';
export { uiViews, DEFAULT_UI_DIR } from './ui.js';
