// The signed-in state: whether a token is kept, why the user was sent back to the login form, and
// whether the server answers. Fed by the api client's listeners; read with useSession().
import { useSyncExternalStore } from 'react';
import { clearToken, getToken, onReachability, onUnauthorized, setToken } from '../api/client';

export interface Session {
  signedIn: boolean;
  /** Shown on the login form: why the user is there (token refused, signed out). */
  notice: string | null;
  /** False after a request could not reach the server, until one does again. */
  reachable: boolean;
}

let current: Session = { signedIn: getToken() !== null, notice: null, reachable: true };
const listeners = new Set<() => void>();

function set(patch: Partial<Session>): void {
  const next = { ...current, ...patch };
  if (next.signedIn === current.signedIn && next.notice === current.notice && next.reachable === current.reachable) return;
  current = next;
  for (const l of listeners) l();
}

onUnauthorized((message) =>
  set({ signedIn: false, notice: `The server refused the token (${message}). Sign in again with the API token.` }),
);
onReachability((ok) => set({ reachable: ok }));

export function signIn(token: string): void {
  setToken(token);
  set({ signedIn: true, notice: null });
}

export function signOut(): void {
  clearToken();
  set({ signedIn: false, notice: 'Signed out. The token was removed from this tab.' });
}

export function useSession(): Session {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => current,
  );
}
