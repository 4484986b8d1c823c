// Decorates `fastify.decodePool`: worker threads that parse, validate and encode ingest bodies.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createDecodePool, type DecodePool } from '../collector/decode-pool.js';
import type { ServerConfig } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    decodePool: DecodePool;
  }
}

async function decodePoolPlugin(fastify: FastifyInstance, opts: { config: ServerConfig }) {
  const pool = createDecodePool(opts.config.ingestWorkers);
  fastify.decorate('decodePool', pool);
  fastify.addHook('onClose', () => pool.close());
}

export default fp(decodePoolPlugin, { name: 'decode-pool' });
