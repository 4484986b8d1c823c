// A small data hook: runs `fn` when `key` changes (aborting the previous run), keeps the last data
// while the next loads, and exposes the error as is (ApiError / NetworkError) for the page to explain.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface QueryState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

export function useQuery<T>(key: string | null, fn: (signal: AbortSignal) => Promise<T>): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean; forKey?: string }>({ loading: key !== null });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;

  useEffect(() => {
    if (key === null) {
      setState({ loading: false });
      return;
    }
    const ctrl = new AbortController();
    setState((s) => ({ data: s.data, loading: true, forKey: key }));
    fnRef.current(ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ data, loading: false, forKey: key });
      },
      (error: unknown) => {
        if (ctrl.signal.aborted) return;
        setState({ error: error instanceof Error ? error : new Error(String(error)), loading: false, forKey: key });
      },
    );
    return () => ctrl.abort();
  }, [key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
