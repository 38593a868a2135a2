// Discovery documents (APIGroupList, APIGroup, APIResourceList) so kubectl-style tooling can
// find every kind, its scope, short names and verbs; plus /version and the region catalog.
import { readFileSync } from 'node:fs';
import { API_VERSION, GROUP, KINDS, REGIONS, VERSION } from '../api/index.js';
import { API_PREFIX } from './paths.js';
import type { View } from './router.js';

const groupVersion = { groupVersion: API_VERSION, version: VERSION };

/** The APIResourceList of truststram.io/v1alpha1: each kind and its /status subresource. */
export function apiResourceList() {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: API_VERSION,
    resources: KINDS.flatMap((k) => [
      {
        name: k.plural,
        singularName: k.kind.toLowerCase(),
        namespaced: k.namespaced,
        kind: k.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
        shortNames: k.aliases.filter((a) => a !== k.kind.toLowerCase()),
        categories: ['all', 'truststram'],
      },
      { name: `${k.plural}/status`, singularName: '', namespaced: k.namespaced, kind: k.kind, verbs: ['get', 'patch', 'update'] },
    ]),
  };
}

const apiGroup = { name: GROUP, versions: [groupVersion], preferredVersion: groupVersion };

let cachedVersion: string | undefined;
/** The package version, read once from package.json (same relative path from src/ and dist/). */
export function serverVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      cachedVersion = '0.0.0-unknown';
    }
  }
  return cachedVersion;
}

/** Discovery, version and regions routes; all read-only and cheap. */
export function discoveryViews(): View[] {
  const get = (path: string, name: string, body: () => unknown, pub = false): View => ({ method: 'GET', path, name, public: pub, handler: async () => ({ body: body() }) });
  return [
    // kubectl asks /api for the legacy core group first; there is none here.
    get('/api', 'discovery', () => ({ kind: 'APIVersions', versions: [], serverAddressByClientCIDRs: [] })),
    get('/apis', 'discovery', () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: [apiGroup] })),
    get(`/apis/${GROUP}`, 'discovery', () => ({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup })),
    get(API_PREFIX, 'discovery', apiResourceList),
    get('/version', 'version', () => ({ gitVersion: `v${serverVersion()}`, version: serverVersion(), apiVersion: API_VERSION, platform: `${process.platform}/${process.arch}`, nodeVersion: process.version }), true),
    {
      method: 'GET',
      path: '/api/v1alpha1/regions',
      name: 'regions',
      handler: async (ctx) => {
        const provider = ctx.url.searchParams.get('provider');
        const jurisdiction = ctx.url.searchParams.get('jurisdiction');
        const items = REGIONS.filter((r) => (!provider || r.provider === provider) && (!jurisdiction || r.jurisdiction === jurisdiction));
        return { body: { apiVersion: API_VERSION, kind: 'RegionList', items } };
      },
    },
  ];
}
