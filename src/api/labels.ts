// Kubernetes label selectors: the string form (`a=b,c!=d,e in (x,y),!f,g`) and the structured
// form (`matchLabels` + `matchExpressions`), compiled once into a predicate over a label map.

export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** The structured selector used inside specs, as in Kubernetes' `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/** A compiled selector: call it with an object's labels. */
export type LabelMatcher = (labels: Labels | undefined) => boolean;

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function isValidLabelKey(k: string): boolean {
  return k.length <= 316 && KEY.test(k);
}
export function isValidLabelValue(v: string): boolean {
  return v.length <= 63 && VALUE.test(v);
}

/** Compiles a structured selector; an empty selector matches everything. */
export function compileSelector(sel: LabelSelector | undefined): LabelMatcher {
  const reqs: LabelSelectorRequirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, operator: 'In', values: [value] });
  reqs.push(...(sel?.matchExpressions ?? []));
  return matcherOf(reqs);
}

function matcherOf(reqs: LabelSelectorRequirement[]): LabelMatcher {
  return (labels) => {
    const l = labels ?? {};
    for (const r of reqs) {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      const v = l[r.key];
      switch (r.operator) {
        case 'In':
          if (!has || !(r.values ?? []).includes(v!)) return false;
          break;
        case 'NotIn':
          if (has && (r.values ?? []).includes(v!)) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
      }
    }
    return true;
  };
}

/**
 * Parses the string selector syntax of `kubectl -l` and `?labelSelector=`.
 * @example parseSelector('team=payments,tier in (0,1),!legacy')
 * @throws {Error} with a message naming the offending term
 */
export function parseSelector(input: string): LabelMatcher {
  return matcherOf(parseSelectorRequirements(input));
}

export function parseSelectorRequirements(input: string): LabelSelectorRequirement[] {
  const reqs: LabelSelectorRequirement[] = [];
  for (const term of splitTerms(input)) {
    const t = term.trim();
    if (!t) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=,()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t))) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
      reqs.push(checked({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values }, t));
    } else if ((m = /^([^\s!=,()]+)\s*(==|=|!=)\s*([^\s!=,()]*)$/.exec(t))) {
      reqs.push(checked({ key: m[1]!, operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]!] }, t));
    } else if ((m = /^!\s*([^\s!=,()]+)$/.exec(t))) {
      reqs.push(checked({ key: m[1]!, operator: 'DoesNotExist' }, t));
    } else if ((m = /^([^\s!=,()]+)$/.exec(t))) {
      reqs.push(checked({ key: m[1]!, operator: 'Exists' }, t));
    } else {
      throw new Error(`invalid label selector term "${t}"`);
    }
  }
  return reqs;
}

function checked(r: LabelSelectorRequirement, term: string): LabelSelectorRequirement {
  if (!isValidLabelKey(r.key)) throw new Error(`invalid label key "${r.key}" in selector term "${term}"`);
  for (const v of r.values ?? []) if (!isValidLabelValue(v)) throw new Error(`invalid label value "${v}" in selector term "${term}"`);
  return r;
}

// Commas separate terms except inside the parentheses of `in (...)`.
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
