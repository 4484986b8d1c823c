// Binds view-state.ts to the browser's history: the URL is the one source of truth for the view.
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { parseView, viewToUrl, type ViewState } from './view-state';

const CHANGE = 'surfacemap:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

const snapshot = () => location.pathname + location.search;

/** Pushes (or replaces) a URL inside the app without a page load. */
export function navigateTo(url: string, replace = false): void {
  if (url === snapshot()) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(CHANGE));
}

export interface ViewApi {
  view: ViewState;
  /** Merges a change into the view; filter changes reset the flows table to its first page. */
  update(patch: Partial<ViewState>, opts?: { replace?: boolean }): void;
  /** The URL of a view with `patch` applied (for links). */
  hrefFor(patch: Partial<ViewState>): string;
}

export function useView(): ViewApi {
  const url = useSyncExternalStore(subscribe, snapshot, snapshot);
  const view = useMemo(() => {
    const i = url.indexOf('?');
    return parseView(i < 0 ? url : url.slice(0, i), i < 0 ? '' : url.slice(i));
  }, [url]);
  const hrefFor = useCallback((patch: Partial<ViewState>) => viewToUrl({ ...view, ...patch }), [view]);
  const update = useCallback(
    (patch: Partial<ViewState>, opts: { replace?: boolean } = {}) => {
      const next = { ...view, ...patch };
      if (!('offset' in patch)) next.offset = 0;
      navigateTo(viewToUrl(next), opts.replace);
    },
    [view],
  );
  return { view, update, hrefFor };
}
