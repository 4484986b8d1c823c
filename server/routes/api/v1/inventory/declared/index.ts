// GET /api/v1/inventory/declared — the declared inventory (file order).
// PUT /api/v1/inventory/declared/:name { address, owner?, role? } — adds or replaces an item (201 when added).
// DELETE /api/v1/inventory/declared/:name — 204; 404 when there is none.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '../../../../../errors.js';
import { InventoryItemBodySchema, InventoryItemSchema, NameSchema } from '../../../../../intent/index.js';
import { etag, ifMatch, intentErrorHandler, rejectUnroutableNames } from '../../../../../plugins/intent.js';

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
        summary: 'The declared inventory',
        tags: ['intent'],
        response: { 200: Type.Object({ version: Type.String(), inventory: Type.Array(InventoryItemSchema) }), ...errors },
      },
    },
    async (_request, reply) => {
      const state = await intent.get();
      reply.header('ETag', etag(state.version));
      return { version: state.version, inventory: state.intent.inventory };
    },
  );

  const Saved = Type.Object({ version: Type.String(), item: InventoryItemSchema });
  fastify.put(
    '/:name',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Add or replace a declared inventory item',
        tags: ['intent'],
        params: Params,
        body: InventoryItemBodySchema,
        response: { 200: Saved, 201: Saved, ...errors },
      },
    },
    async (request, reply) => {
      const item = { name: request.params.name, ...request.body };
      const { state, created } = await intent.upsertInventoryItem(item, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version)).code(created ? 201 : 200);
      return { version: state.version, item: state.intent.inventory.find((i) => i.name === item.name)! };
    },
  );

  fastify.delete(
    '/:name',
    {
      onRequest: fastify.requireApiToken,
      schema: { summary: 'Delete a declared inventory item', tags: ['intent'], params: Params, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const { state } = await intent.deleteInventoryItem(request.params.name, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version)).code(204);
      return null;
    },
  );

  rejectUnroutableNames(fastify, 'inventory item');
};

export default plugin;
