// The registry: the only place that maps plugin names to factories. Registering a name twice
// is a programming error and throws, as Karmada's registry does.
import type { FilterPlugin, PolicyHook, ScorePlugin } from './contract.js';

/** What a factory may need: today only the injected policy hook. */
export interface PluginArgs {
  policy?: PolicyHook;
}

export type FilterFactory = (args: PluginArgs) => FilterPlugin;
export type ScoreFactory = (args: PluginArgs) => ScorePlugin;

export interface Registry {
  registerFilter(name: string, factory: FilterFactory): void;
  registerScore(name: string, factory: ScoreFactory): void;
  filter(name: string, args: PluginArgs): FilterPlugin;
  score(name: string, args: PluginArgs): ScorePlugin;
  names(): { filters: string[]; scores: string[] };
}

/** Creates an empty registry. */
export function createRegistry(): Registry {
  const filters = new Map<string, FilterFactory>();
  const scores = new Map<string, ScoreFactory>();
  const add = <T>(m: Map<string, T>, kind: string, name: string, f: T) => {
    if (m.has(name) || filters.has(name) || scores.has(name)) throw new Error(`${kind} plugin "${name}" is already registered`);
    m.set(name, f);
  };
  const get = <T>(m: Map<string, T>, kind: string, name: string): T => {
    const f = m.get(name);
    if (!f) throw new Error(`no ${kind} plugin named "${name}"`);
    return f;
  };
  return {
    registerFilter: (name, f) => add(filters, 'filter', name, f),
    registerScore: (name, f) => add(scores, 'score', name, f),
    filter: (name, args) => get(filters, 'filter', name)(args),
    score: (name, args) => get(scores, 'score', name)(args),
    names: () => ({ filters: [...filters.keys()], scores: [...scores.keys()] }),
  };
}
