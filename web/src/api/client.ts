// The one way data enters the UI: fetch with the API token as an `Authorization: Bearer` header. The
// token lives in this tab's sessionStorage (the same key as the server's interim page used) and is
// never put in a URL. Three kinds of failure, each with its own message:
//   401          → UnauthorizedError; listeners (the session) forget the token and show the login form
//   fetch threw  → NetworkError; listeners show the "server not reachable" banner
//   other 4xx/5xx → ApiError carrying the server's `message` (docs/api.md error shape)

const TOKEN_KEY = 'surfacemap-api-token';

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError';
}

export class NetworkError extends Error {
  override name = 'NetworkError';
}

type Listener<T> = (value: T) => void;
const unauthorizedListeners = new Set<Listener<string>>();
const reachabilityListeners = new Set<Listener<boolean>>();

/** Called with the server's message when a request is answered 401. Returns an unsubscribe function. */
export function onUnauthorized(fn: Listener<string>): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

/** Called with false when a request could not reach the server, true when one did again. */
export function onReachability(fn: Listener<boolean>): () => void {
  reachabilityListeners.add(fn);
  return () => reachabilityListeners.delete(fn);
}

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

/** `/api/v1/edges?from=…` with empty values left out. */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  query?: Query;
  /** JSON-encoded unless `contentType` says otherwise and it is a string. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** A token to use instead of the stored one (the login form checks a token before keeping it). */
  token?: string;
}

async function send(path: string, o: RequestOptions): Promise<Response> {
  const token = o.token ?? getToken();
  const headers: Record<string, string> = { accept: 'application/json, */*' };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (o.body !== undefined) {
    if (typeof o.body === 'string' && o.contentType) {
      headers['content-type'] = o.contentType;
      body = o.body;
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path, o.query), { method: o.method ?? 'GET', headers, body, signal: o.signal, cache: 'no-store' });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    for (const l of reachabilityListeners) l(false);
    throw new NetworkError(`the surfacemap server at ${location.origin} did not answer (${err instanceof Error ? err.message : String(err)})`);
  }
  for (const l of reachabilityListeners) l(true);
  if (res.ok) return res;

  let error = res.statusText || `HTTP ${res.status}`;
  let message = `${o.method ?? 'GET'} ${path} failed: HTTP ${res.status}`;
  try {
    const j = (await res.json()) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') error = j.error;
    if (typeof j.message === 'string' && j.message !== '') message = j.message;
  } catch {
    // not JSON (a proxy's error page): keep the status line
  }
  if (res.status === 401) {
    if (o.token === undefined) {
      clearToken();
      for (const l of unauthorizedListeners) l(message);
    }
    throw new UnauthorizedError(res.status, error, message, path);
  }
  throw new ApiError(res.status, error, message, path);
}

export async function requestJson<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const res = await send(path, o);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export interface Download {
  blob: Blob;
  filename: string;
}

/** Fetches a file (exports) with the token in the header; the caller saves it (saveBlob). */
export async function requestFile(path: string, fallbackName: string, o: RequestOptions = {}): Promise<Download> {
  const res = await send(path, o);
  const blob = await res.blob();
  return { blob, filename: filenameFrom(res.headers.get('content-disposition')) ?? fallbackName };
}

/** The file name of a Content-Disposition header (RFC 6266: filename* wins over filename). */
export function filenameFrom(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!.trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(header);
  const name = plain ? (plain[1] ?? plain[2] ?? '').trim() : '';
  // Only a base name: a server never gets to pick a folder.
  const base = name.split(/[\\/]/).pop() ?? '';
  return base === '' ? null : base;
}
