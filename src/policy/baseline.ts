// The baseline policy pack shipped in `policies/baseline/`: loaded, schema-validated and
// compiled like any user apply, so a broken shipped policy fails loudly at startup.
import { fileURLToPath } from 'node:url';
import { parseSources, readSources, validateDocuments, ValidationError, type Policy } from '../api/index.js';
import { compilePolicy } from './compile.js';

/** `policies/baseline/` of this package (the same relative path from `src/` and `dist/`). */
export const BASELINE_DIR = fileURLToPath(new URL('../../policies/baseline/', import.meta.url));

/**
 * Reads, validates and compiles every Policy in `dir` (default: the shipped baseline pack).
 * @throws {ValidationError} when a document is not a valid, compilable Policy
 */
export async function loadBaselinePolicies(dir: string = BASELINE_DIR): Promise<Policy[]> {
  const objects = validateDocuments(parseSources(await readSources([dir])));
  const policies: Policy[] = [];
  for (const o of objects) {
    if (o.kind !== 'Policy') throw new ValidationError(`${dir}: expected only Policy objects, found ${o.kind}/${o.metadata.name}`, [{ field: 'kind', message: `expected Policy, found ${o.kind}` }]);
    compilePolicy(o);
    policies.push(o);
  }
  return policies;
}
