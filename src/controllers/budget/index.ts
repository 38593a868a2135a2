// The budget controller, its alert webhook notifier and the block-scale-up admission hook.
export * from './budget-controller.js';
export * from './webhook.js';
export * from './admission.js';
