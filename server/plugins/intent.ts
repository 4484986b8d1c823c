// Decorates `fastify.intent`: the intent file store (server/intent/intent-store.ts) for
// `config.intentFile`. A file that is not valid at start does not stop the server: it starts with the
// empty intent, logs what is wrong, and GET /api/v1/intent shows the error until the file is fixed.
// Every /api/v1 request (but ingest) first checks the file on disk (one stat), so `current()` is fresh
// after a `git pull` or a hand edit without a restart.
//
// Also the small HTTP pieces the intent routes share: the mapping of intent errors to 400/404/409/412,
// `If-Match` → version, and a clear 400 for names that cannot be in a URL.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { badRequest, errorHandler, HttpError } from '../errors.js';
import {
  createIntentStore,
  CsvImportError,
  IntentConflictError,
  IntentError,
  IntentNotFoundError,
  NAME_MAX,
  type IntentStore,
} from '../intent/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    intent: IntentStore;
  }
}

/** Intent errors as HTTP errors; anything else unchanged. */
export function intentHttpError(err: unknown): unknown {
  if (err instanceof IntentError || err instanceof CsvImportError) return badRequest(err.message);
  if (err instanceof IntentNotFoundError) return new HttpError(404, err.message);
  if (err instanceof IntentConflictError) return new HttpError(err.reason === 'version' ? 412 : 409, err.message);
  return err;
}

/** Error handler for the intent route plugins: maps intent errors, then answers as the app does. */
export function intentErrorHandler(this: FastifyInstance, err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return errorHandler.call(this, intentHttpError(err) as FastifyError, request, reply);
}

/** The version an `If-Match` header asks for (`"abc"`, `W/"abc"`), or undefined for none or `*`. */
export function ifMatch(request: FastifyRequest): string | undefined {
  const h = request.headers['if-match'];
  if (typeof h !== 'string' || h.trim() === '' || h.trim() === '*') return undefined;
  return h.split(',')[0]!.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

export const etag = (version: string) => `"${version}"`;

/**
 * Routes for `PUT|DELETE /<anything with a slash or too long>`: fastify's router takes `/:name` only up
 * to 100 characters without '/', and would answer such names with a bare 404.
 */
export function rejectUnroutableNames(fastify: FastifyInstance, what: string): void {
  fastify.route({
    method: ['PUT', 'DELETE'],
    url: '/*',
    onRequest: fastify.requireApiToken,
    schema: { hide: true },
    handler: async (request) => {
      const rest = (request.params as Record<string, string>)['*'] ?? '';
      throw badRequest(
        rest.length > NAME_MAX ? `${what} name is longer than ${NAME_MAX} characters` : `${what} name must not contain "/" (it is ${JSON.stringify(rest.slice(0, 80))})`,
      );
    },
  });
}

async function intentPlugin(fastify: FastifyInstance, opts: { config: ServerConfig }) {
  const path = opts.config.intentFile;
  const log = fastify.log.child({ intent: path });
  const store = createIntentStore({
    path,
    onInvalid: (error) => log.warn({ error: error.message }, 'the intent file is not valid; using the last valid intent until it is fixed'),
    onReadError: (error) => log.warn({ error: error.message }, 'cannot read the intent file; using the last valid intent'),
  });
  const state = await store.load();
  if (state.error === null) {
    log.info({ exists: state.exists, zones: state.intent.zones.length, crown_jewels: state.intent.crown_jewels.length, version: state.version }, 'intent loaded');
  }
  fastify.decorate('intent', store);
  fastify.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/v1/') && !request.url.startsWith('/api/v1/ingest')) await store.get();
  });
}

export default fp(intentPlugin, { name: 'intent' });
