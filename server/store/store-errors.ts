// What a failed store call means for the caller: retry later (503), bad data (400), or a bug (500).

/** The store cannot be reached or is overloaded right now; the caller should retry later. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** The engine refused the data itself (a value it cannot parse); retrying will not help. */
export class StoreDataError extends Error {
  override name = 'StoreDataError';
}

/** Any other engine error: most likely our SQL or schema is wrong. */
export class StoreError extends Error {
  override name = 'StoreError';
}

/** errno codes of a transport that did not get an answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET',
]);

/** ClickHouse error names (the `type` of a ClickHouseError) that pass with time or load. */
const TRANSIENT_TYPES = new Set([
  'TOO_MANY_PARTS', 'TIMEOUT_EXCEEDED', 'MEMORY_LIMIT_EXCEEDED', 'TOO_MANY_SIMULTANEOUS_QUERIES',
  'NETWORK_ERROR', 'SOCKET_TIMEOUT', 'ALL_CONNECTION_TRIES_FAILED', 'TABLE_IS_READ_ONLY', 'KEEPER_EXCEPTION',
  'NOT_ENOUGH_SPACE', 'QUERY_WAS_CANCELLED', 'ABORTED', 'AUTHENTICATION_FAILED', 'REQUIRED_PASSWORD',
  'UNKNOWN_DATABASE', 'READONLY', 'SERVER_OVERLOADED', 'TOO_MANY_ROWS_OR_BYTES', 'CANNOT_ALLOCATE_MEMORY',
]);

const DATA_TYPE = /^(CANNOT_PARSE_|INCORRECT_DATA$|CANNOT_READ_ALL_DATA$|TOO_LARGE_STRING_SIZE$|CANNOT_PARSE_INPUT_ASSERTION_FAILED$)/;

function errnoOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Maps a thrown value from @clickhouse/client (either transport) to one of the three classes above. */
export function classifyStoreError(err: unknown, what: string): Error {
  if (err instanceof StoreUnavailableError || err instanceof StoreDataError || err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const errno = errnoOf(err);
  if (errno !== undefined) return new StoreUnavailableError(`store ${what} failed: ${errno}`, { cause: err });
  const type = (err as { type?: unknown }).type;
  if (typeof type === 'string') {
    if (TRANSIENT_TYPES.has(type)) return new StoreUnavailableError(`store ${what} failed: ${type}`, { cause: err });
    if (DATA_TYPE.test(type)) return new StoreDataError(`store refused the data: ${message.split('\n')[0]}`, { cause: err });
  }
  // The client reports its own request timeout and a closed socket without an errno.
  if (/timeout|socket hang up|connection is closed|ChdbConnection is closed/i.test(message)) {
    return new StoreUnavailableError(`store ${what} failed: ${message.split('\n')[0]}`, { cause: err });
  }
  return new StoreError(`store ${what} failed: ${message.split('\n')[0]}`, { cause: err });
}
