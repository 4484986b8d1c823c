// GET / — the interim status page (status-page.ts); no token needed to load it, the page asks for one.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { STATUS_PAGE_HTML } from './status-page.js';

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .send(STATUS_PAGE_HTML),
  );
};

export default plugin;
