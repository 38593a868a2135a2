// YAML alias problems located by file and document. The shared loader (src/api/load.ts) lets the
// yaml library's ReferenceError escape for an alias with no anchor or an alias bomb ("billion
// laughs"); the CLI turns such a failure into causes a user can act on (exit 1, not a bug).
import { LineCounter, isAlias, parseAllDocuments, visit, type Document } from 'yaml';
import { ValidationError, type Cause } from '../api/index.js';

/** The loader's limit on alias expansions per document (load.ts: `toJS({ maxAliasCount: 100 })`). */
export const MAX_ALIAS_COUNT = 100;

/**
 * Every document of `text` whose aliases cannot be expanded: an alias naming no earlier anchor
 * (with its line and column), or aliases expanding past {@link MAX_ALIAS_COUNT}. Documents with
 * syntax errors are left to the loader, which reports those itself.
 * @example aliasProblems('a.yaml', 'b: *y') // [{ file: 'a.yaml', document: 0, field: '', message: 'alias *y at line 1, column 4 ...' }]
 */
export function aliasProblems(file: string, text: string): Cause[] {
  const lines = new LineCounter();
  const causes: Cause[] = [];
  parseAllDocuments(text, { uniqueKeys: true, lineCounter: lines }).forEach((doc: Document, document) => {
    if (doc.errors.length) return;
    const unresolved: string[] = [];
    visit(doc, {
      Alias(_key, node) {
        if (isAlias(node) && !node.resolve(doc)) {
          const at = node.range ? lines.linePos(node.range[0]) : undefined;
          unresolved.push(`alias *${node.source}${at ? ` at line ${at.line}, column ${at.col}` : ''} refers to no anchor: define &${node.source} before it`);
        }
      },
    });
    if (unresolved.length) {
      for (const message of unresolved.slice(0, 3)) causes.push({ file, document, field: '', message });
      return;
    }
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // With every alias resolvable, the library's ReferenceError is its expansion limit.
      if (!(err instanceof ReferenceError)) throw err;
      causes.push({ file, document, field: '', message: `YAML aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} alias expansions): refused as a possible "billion laughs" attack` });
    }
  });
  return causes;
}

/**
 * Classifies a failure to load `file` (whose content is `text`): a ValidationError is rethrown
 * as it is; anything else becomes the alias problems found in the text, and when there are
 * none the original failure is rethrown (a real bug stays a bug).
 */
export function aliasCausesOf(err: unknown, file: string, text: string): Cause[] {
  if (err instanceof ValidationError) throw err;
  const causes = aliasProblems(file, text);
  if (!causes.length) throw err;
  return causes;
}

/** One ValidationError holding `causes`, with the first of them as its message. */
export function invalidInput(causes: Cause[]): ValidationError {
  const c = causes[0]!;
  const first = `${c.file ?? ''}${c.document !== undefined ? `: document ${c.document}` : ''}: ${c.field ? `${c.field}: ` : ''}${c.message}`;
  return new ValidationError(causes.length === 1 ? first : `${causes.length} errors, first: ${first}`, causes);
}
