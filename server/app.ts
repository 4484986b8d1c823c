// The surfacemap server as a fastify plugin: tests build it with `buildApp` and use `app.inject`
// (no port); server.ts only adds listen() and signals. Layers: routes → repositories → store.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { assertValidConfig, type ServerConfig } from './config.js';
import { errorHandler, notFoundHandler } from './errors.js';
import authPlugin from './plugins/auth.js';
import decodePoolPlugin from './plugins/decode-pool.js';
import storePlugin from './plugins/store.js';
import ingestRepository from './repositories/ingest-repository.js';
import statsRepository from './repositories/stats-repository.js';
import { registerRoutes } from './routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: ServerConfig;
  }
}

export interface AppOptions {
  config: ServerConfig;
}

export default async function serviceApp(fastify: FastifyInstance, opts: AppOptions) {
  const { config } = opts;
  fastify.decorate('config', config);
  fastify.setErrorHandler(errorHandler);
  fastify.setNotFoundHandler(notFoundHandler);

  await fastify.register(authPlugin, { config });
  await fastify.register(storePlugin, { config });
  await fastify.register(decodePoolPlugin, { config });
  await fastify.register(ingestRepository);
  await fastify.register(statsRepository);

  // The URL is the folder path: routes/api/v1/ingest/index.ts → /api/v1/ingest.
  await registerRoutes(fastify);
}

/** A ready app (not listening). Validates the config first. */
export async function buildApp(config: ServerConfig, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  assertValidConfig(config);
  const app = Fastify({
    logger: { level: config.logLevel },
    // 1 MiB for every route but ingest, which sets its own limit.
    bodyLimit: 1024 * 1024,
    ...options,
  }).withTypeProvider<TypeBoxTypeProvider>();
  try {
    // fastify-plugin: the app's decorators (store, repositories) are visible on the instance tests hold.
    await app.register(fp(serviceApp, { name: 'surfacemap' }), { config });
    await app.ready();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}
