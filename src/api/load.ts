// Reading manifests: files, directories and stdin; multi-document YAML and JSON; every
// document tagged with its file and index so errors can point at it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ValidationError, type Cause } from './errors.js';
import { jsonTextNestingExceeds, MAX_NESTING_DEPTH, nestingExceeds } from './nesting.js';
import { toJsChecked } from './yaml-aliases.js';

/** Largest single document accepted, as etcd and the Kubernetes API server do (~1.5 MiB there). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Largest input file read at all, so a wrong path cannot exhaust memory. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface Source {
  /** Path as the user gave it, or `-` for stdin. */
  file: string;
  content: Buffer;
}

/** One parsed document with where it came from. */
export interface RawDocument {
  file: string;
  /** Zero-based index of the document in its file (items of a `List` share the list's index). */
  index: number;
  value: unknown;
}

const MANIFEST = /\.(ya?ml|json)$/i;

/** Reads files and directories (recursively, `.yaml`, `.yml`, `.json`, sorted) and `-` for stdin. */
export async function readSources(paths: string[], stdin: () => Promise<Buffer> = readStdin): Promise<Source[]> {
  const out: Source[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ file: '-', content: await stdin() });
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch {
      throw new ValidationError(`${p}: no such file or directory`, [{ file: p, field: '', message: 'no such file or directory' }]);
    }
    if (st.isDirectory()) {
      const entries = (await readdir(p, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && MANIFEST.test(e.name))
        .map((e) => join(e.parentPath, e.name))
        .sort();
      for (const f of entries) out.push(await readOne(f));
    } else out.push(await readOne(p));
  }
  return out;
}

async function readOne(file: string): Promise<Source> {
  const st = await stat(file);
  if (st.size > MAX_FILE_BYTES) throw new ValidationError(`${file}: file is larger than ${MAX_FILE_BYTES} bytes`, [{ file, field: '', message: 'file too large' }]);
  return { file, content: await readFile(file) };
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    size += (c as Buffer).length;
    if (size > MAX_FILE_BYTES) throw new ValidationError('stdin: input larger than 64 MiB', [{ file: '-', field: '', message: 'input too large' }]);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses every source into documents. All problems of all sources are collected and thrown
 * together as one ValidationError, so a user fixes everything in one round.
 */
export function parseSources(sources: Source[]): RawDocument[] {
  const docs: RawDocument[] = [];
  const causes: Cause[] = [];
  for (const s of sources) {
    const r = parseSource(s);
    docs.push(...r.docs);
    causes.push(...r.causes);
  }
  if (causes.length) throw new ValidationError(summary(causes), causes);
  return docs;
}

function parseSource({ file, content }: Source): { docs: RawDocument[]; causes: Cause[] } {
  const fail = (message: string, document?: number) => ({ docs: [], causes: [{ file, document, field: '', message }] });
  if (content.includes(0)) return fail('binary input: the file contains NUL bytes; expected UTF-8 YAML or JSON');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return fail('not valid UTF-8: expected UTF-8 YAML or JSON');
  }
  if (text.trim() === '') return fail('empty file: no documents to apply');
  // JSON (and YAML written as JSON) is measured before parsing: the YAML parser recurses on flow
  // collections and would report a deep one as a stack overflow instead of saying why.
  if (/^[[{]/.test(text.trimStart()) && jsonTextNestingExceeds(text, MAX_NESTING_DEPTH)) return fail(`nests arrays and objects more than ${MAX_NESTING_DEPTH} levels deep`);
  // Block nesting is written as indentation and `- ` markers at the start of a line; the YAML
  // library runs out of memory on tens of thousands of them (a 120 KB line of `- - - …`), so a
  // line whose block prefix is longer than any manifest needs is refused before parsing.
  const prefix = longestBlockPrefix(text);
  if (prefix > MAX_BLOCK_PREFIX) return fail(`a line starts with ${prefix} characters of indentation and block markers (at most ${MAX_BLOCK_PREFIX}): nested too deeply (at most ${MAX_NESTING_DEPTH} levels)`);
  const lines = new LineCounter();
  let parsed: ReturnType<typeof parseAllDocuments>;
  try {
    parsed = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true, lineCounter: lines });
  } catch (err) {
    // The YAML parser recurses on nesting; a stack overflow there is the input's depth, not a bug here.
    if (err instanceof RangeError) return fail(`nested too deeply to parse: at most ${MAX_NESTING_DEPTH} levels`);
    throw err;
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const docs: RawDocument[] = [];
  const causes: Cause[] = [];
  list.forEach((doc, index) => {
    const [start, , end] = doc.range ?? [0, 0, 0];
    if (Buffer.byteLength(text.slice(start, end)) > MAX_DOCUMENT_BYTES) {
      causes.push({ file, document: index, field: '', message: `document is larger than 1 MiB (${MAX_DOCUMENT_BYTES} bytes)` });
      return;
    }
    if (doc.errors.length) {
      for (const e of doc.errors.slice(0, 3)) {
        const pos = e.linePos?.[0];
        causes.push({ file, document: index, field: '', message: `syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${firstLine(e.message)}` });
      }
      return;
    }
    const expanded = toJsChecked(doc, lines);
    if ('problems' in expanded) {
      for (const message of expanded.problems) causes.push({ file, document: index, field: '', message });
      return;
    }
    const value = expanded.value;
    if (value === null || value === undefined) return; // `---` separators with nothing between
    // The same bound the server puts on bodies, so the CLI says it before sending (and never overflows its own stack).
    if (nestingExceeds(value, MAX_NESTING_DEPTH)) {
      causes.push({ file, document: index, field: '', message: `document nests arrays and objects more than ${MAX_NESTING_DEPTH} levels deep` });
      return;
    }
    for (const item of expandList(value)) docs.push({ file, index, value: item });
  });
  if (!causes.length && !docs.length) causes.push({ file, field: '', message: 'empty file: no documents to apply' });
  return { docs, causes };
}

// JSON arrays and Kubernetes `List` objects hold several documents.
function expandList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'List' && Array.isArray((v as { items?: unknown }).items))
    return (v as { items: unknown[] }).items;
  return [v];
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function summary(causes: Cause[]): string {
  const first = causes[0]!;
  const where = [first.file, first.document !== undefined ? `document ${first.document}` : ''].filter(Boolean).join(': ');
  return causes.length === 1 ? `${where}: ${first.field ? `${first.field}: ` : ''}${first.message}` : `${causes.length} errors, first: ${where}: ${first.field ? `${first.field}: ` : ''}${first.message}`;
}

/** Longest run of indentation and block markers (`-`, `?`, `:`) that starts a line, whatever the nesting. */
const MAX_BLOCK_PREFIX = 1000;

function longestBlockPrefix(text: string): number {
  let longest = 0;
  let run = 0;
  let atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      atStart = true;
      run = 0;
    } else if (atStart && (c === 32 || c === 9 || c === 45 || c === 63 || c === 58)) {
      if (++run > longest) longest = run;
    } else atStart = false;
  }
  return longest;
}
