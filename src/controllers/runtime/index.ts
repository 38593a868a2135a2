// Controller runtime: reconciler contract, work queue, informers and the manager.
export * from './contract.js';
export * from './work-queue.js';
export * from './informer.js';
export * from './manager.js';
