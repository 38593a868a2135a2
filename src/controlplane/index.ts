// The assembled control plane (server + controllers + managed agents) and its computed views.
export * from './control-plane.js';
export * from './agent-manager.js';
export * from './views.js';
