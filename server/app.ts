// The surfacemap server as a fastify plugin: tests build it with `buildApp` and use `app.inject`
// (no port); server.ts only adds listen() and signals. Layers: routes → repositories → store.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { assertValidConfig, type ServerConfig } from './config.js';
import { errorHandler, notFoundHandler } from './errors.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import authPlugin from './plugins/auth.js';
import decodePoolPlugin from './plugins/decode-pool.js';
import intentPlugin from './plugins/intent.js';
import intentLookupPlugin from './plugins/intent-lookup.js';
import storePlugin from './plugins/store.js';
import analysisRepository from './repositories/analysis-repository.js';
import exportRepository from './repositories/export-repository.js';
import ingestRepository from './repositories/ingest-repository.js';
import snapshotRepository from './repositories/snapshot-repository.js';
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

  // OpenAPI from the routes' TypeBox schemas: JSON at /docs/json, a browsable UI at /docs.
  await fastify.register(swagger, {
    openapi: {
      info: { title: 'surfacemap API', version: '1', description: 'See docs/api.md. Every /api/v1 route needs a bearer token.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });

  await fastify.register(authPlugin, { config });
  await fastify.register(storePlugin, { config });
  await fastify.register(decodePoolPlugin, { config });
  await fastify.register(ingestRepository);
  await fastify.register(statsRepository);
  await fastify.register(intentPlugin, { config });
  await fastify.register(intentLookupPlugin);
  await fastify.register(analysisRepository);
  await fastify.register(snapshotRepository);
  await fastify.register(exportRepository);

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
    // An unknown query or body field is refused (400 naming it), not silently dropped: a typo such as
    // `zones=prod` must not quietly return the unfiltered map.
    ajv: { customOptions: { removeAdditional: false } },
    // The store plugin opens the embedded engine and applies migrations before anything is served; on a
    // busy machine or a large data dir that can exceed fastify's 10 s default (seen under load ~15).
    pluginTimeout: 120_000,
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
