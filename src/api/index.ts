// The resource API: kinds and their schemas, quantities, label selectors, regions, loading
// and validation, typed errors. Everything outside src/api imports from here.
export * from './errors.js';
export * from './quantity.js';
export * from './nesting.js';
export * from './labels.js';
export * from './kinds/index.js';
export * from './regions.js';
export * from './load.js';
export * from './validate.js';
