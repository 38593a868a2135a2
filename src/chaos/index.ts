// Chaos and GameDays: faults injected into the fleet (cluster, region, provider outages), the
// server's chaos API, and scenarios that drive load through the gateway and measure recovery.
export * from './faults.js';
export * from './views.js';
export * from './scenario.js';
export * from './load.js';
export * from './report.js';
export * from './runner.js';
