// YAML aliases a manifest may not use: one naming no anchor, and aliases expanding past a bound
// (the "billion laughs" attack). The yaml library throws a bare ReferenceError for both; these
// say which alias and where, so the loader can report them as the input's fault.
import { isAlias, visit, type Document, type LineCounter } from 'yaml';

/** Alias expansions allowed per document (`toJS({ maxAliasCount })`). */
export const MAX_ALIAS_COUNT = 100;

/** One message per alias of `doc` that names no earlier anchor, with its line and column. */
export function unresolvedAliases(doc: Document, lines?: LineCounter): string[] {
  const out: string[] = [];
  visit(doc, {
    Alias(_key, node) {
      if (!isAlias(node) || node.resolve(doc)) return;
      const at = node.range && lines ? lines.linePos(node.range[0]) : undefined;
      out.push(`alias *${node.source}${at ? ` at line ${at.line}, column ${at.col}` : ''} refers to no anchor: define &${node.source} before it`);
    },
  });
  return out;
}

/**
 * The value of `doc`, or the reason it may not be expanded: its unresolved aliases (up to
 * three), or too many alias expansions.
 */
export function toJsChecked(doc: Document, lines?: LineCounter): { value: unknown } | { problems: string[] } {
  const unresolved = unresolvedAliases(doc, lines);
  if (unresolved.length) return { problems: unresolved.slice(0, 3) };
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    // With every alias resolvable, the library's ReferenceError is its expansion limit.
    if (!(err instanceof ReferenceError)) throw err;
    return { problems: [`YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} alias expansions): refused as a possible "billion laughs" attack`] };
  }
}
