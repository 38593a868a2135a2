// The cost component: price catalog, the cost model core (cluster and replica prices), and
// network transfer prices. Other components import cost only from here.
export * from './catalog/index.js';
export * from './pricing.js';
export * from './fleet.js';
export * from './network.js';
export * from './priced-regions.js';
export * from './allocation.js';
export * from './accrual.js';
export * from './showback.js';
export * from './cost-report.js';
export * from './cost-diff.js';
export * from './budgets.js';
export * from './constraints.js';
export * from './usage-profile.js';
export * from './recommend.js';
export * from './views.js';
export { formatUsd } from './money.js';
