// Static weights (Karmada staticWeightList): only the named clusters take part in the split.
import { OK, ReasonCode, type FilterPlugin } from '../../framework/contract.js';

export const staticWeightsFilter = (): FilterPlugin => ({
  name: 'static-weights',
  filter(w, c) {
    if (!w.weights || w.weights.has(c.name)) return OK;
    return { code: ReasonCode.NotInStaticWeights, reason: 'cluster has no entry in staticWeights' };
  },
});
