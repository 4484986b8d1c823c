// GET /api/v1/crown-jewels — the declared crown jewels (file order).
// PUT /api/v1/crown-jewels/:name { match, owner, why } — adds or replaces one (201 when added).
// DELETE /api/v1/crown-jewels/:name — 204; 404 when there is none; 400 when a rule still protects it.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '../../../../errors.js';
import { CrownJewelBodySchema, CrownJewelSchema, NameSchema } from '../../../../intent/index.js';
import { etag, ifMatch, intentErrorHandler, rejectUnroutableNames } from '../../../../plugins/intent.js';

const errors = { '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };
const Params = Type.Object({ name: NameSchema });

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { intent } = fastify;
  fastify.setErrorHandler(intentErrorHandler);

  fastify.get(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'The declared crown jewels',
        tags: ['intent'],
        response: { 200: Type.Object({ version: Type.String(), crown_jewels: Type.Array(CrownJewelSchema) }), ...errors },
      },
    },
    async (_request, reply) => {
      const state = await intent.get();
      reply.header('ETag', etag(state.version));
      return { version: state.version, crown_jewels: state.intent.crown_jewels };
    },
  );

  const Saved = Type.Object({ version: Type.String(), crown_jewel: CrownJewelSchema });
  fastify.put(
    '/:name',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Add or replace a crown jewel',
        tags: ['intent'],
        params: Params,
        body: CrownJewelBodySchema,
        response: { 200: Saved, 201: Saved, ...errors },
      },
    },
    async (request, reply) => {
      const jewel = { name: request.params.name, ...request.body };
      const { state, created } = await intent.upsertCrownJewel(jewel, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version)).code(created ? 201 : 200);
      return { version: state.version, crown_jewel: state.intent.crown_jewels.find((j) => j.name === jewel.name)! };
    },
  );

  fastify.delete(
    '/:name',
    { onRequest: fastify.requireApiToken, schema: { summary: 'Delete a crown jewel', tags: ['intent'], params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const { state } = await intent.deleteCrownJewel(request.params.name, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version)).code(204);
      return null;
    },
  );

  rejectUnroutableNames(fastify, 'crown jewel');
};

export default plugin;
