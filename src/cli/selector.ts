// Flag checks shared by apply and plan.
import { ValidationError } from '../api/index.js';

/** --prune never means "everything": it needs a label selector, as in kubectl. */
export function requireSelector(sel: string | undefined): string {
  if (!sel?.trim()) throw new ValidationError('--prune needs -l SELECTOR', [{ field: '--selector', message: '--prune needs -l SELECTOR: pruning everything is never implied' }]);
  return sel;
}
