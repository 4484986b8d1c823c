// POST /api/v1/inventory/import — declared inventory from CSV (Content-Type: text/csv): a header with
// `name` and one of `ip` | `cidr` | `address`, optionally `owner`, `role`; rows upsert by name, all or
// none. → { added, updated, unchanged, ignored_columns, version }; 400 names the CSV line of each problem.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema, unsupportedMediaType } from '../../../../../errors.js';
import { etag, ifMatch, intentErrorHandler } from '../../../../../plugins/intent.js';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/comma-separated-values'];

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { intent } = fastify;
  fastify.setErrorHandler(intentErrorHandler);
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(CSV_TYPES, { parseAs: 'string' }, async (_request: unknown, body: string | Buffer) => body.toString());
  fastify.addContentTypeParser('*', async () => {
    throw unsupportedMediaType('send the CSV as the body with Content-Type: text/csv');
  });

  fastify.post(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Import declared inventory from CSV (upsert by name)',
        tags: ['intent'],
        body: Type.String({ description: 'CSV with a header row: name, ip|cidr|address, optional owner, role' }),
        response: {
          200: Type.Object({
            added: Type.Integer(),
            updated: Type.Integer(),
            unchanged: Type.Integer(),
            ignored_columns: Type.Array(Type.String()),
            version: Type.String(),
          }),
          '4xx': ErrorResponseSchema,
          '5xx': ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'string') throw unsupportedMediaType('send the CSV as the body with Content-Type: text/csv');
      const { state, detail } = await intent.importInventoryCsv(request.body, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version));
      return { ...detail, version: state.version };
    },
  );
};

export default plugin;
