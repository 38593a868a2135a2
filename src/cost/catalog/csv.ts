// A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF) that remembers the line
// each record starts on, so price-file errors can name the line and column.

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
}

/** Thrown for malformed CSV syntax (an unterminated quote, text after a closing quote). */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Splits CSV text into records. Blank lines are skipped; a UTF-8 BOM is ignored.
 * @example parseCsv('a,"b,c"\r\n1,2') // [{line: 1, fields: ['a', 'b,c']}, {line: 2, fields: ['1', '2']}]
 */
export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let inQuotes = false;
  let afterQuote = false;
  let column = 1;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    afterQuote = false;
    column = 1;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
      column++;
    } else if (ch === '\r' && src[i + 1] === '\n') {
      continue;
    } else if (ch === '\n') {
      endRecord();
      line++;
      recordLine = line;
    } else if (ch === '"' && field === '' && !afterQuote) {
      inQuotes = true;
    } else if (afterQuote) {
      throw new CsvSyntaxError(line, column, 'unexpected text after a closing quote');
    } else {
      field += ch;
    }
  }
  if (inQuotes) throw new CsvSyntaxError(recordLine, column, 'unterminated quoted field');
  endRecord();
  return records;
}
