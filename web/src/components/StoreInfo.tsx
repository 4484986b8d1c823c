// What the store holds overall (GET /api/v1/stats), shared by every page: whether it is empty, and the
// time span of its data (to offer "show that range" when a view's range has nothing).
import { createContext, useContext } from 'react';
import type { Stats } from '../api/types';

export interface StoreInfo {
  stats: Stats | undefined;
  error: Error | undefined;
  reload(): void;
}

export const StoreInfoContext = createContext<StoreInfo>({ stats: undefined, error: undefined, reload: () => {} });

export function useStoreInfo(): StoreInfo {
  return useContext(StoreInfoContext);
}

/** True only when the server said so: an unknown state is not "empty". */
export function storeIsEmpty(info: StoreInfo): boolean {
  return info.stats !== undefined && info.stats.totals.flows === 0;
}
