// GET /api/v1/zones — declared zones (file order) and the built-in ones.
// PUT /api/v1/zones/:name { kind, cidrs, description? } — adds or replaces a zone (201 when added).
// DELETE /api/v1/zones/:name — 204; 404 when there is no such zone.
// Edits keep the YAML's comments and order; invalid input answers 400 naming the field.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '../../../../errors.js';
import { BUILTIN_ZONE_KINDS, INTERNET_ZONE, UNASSIGNED_RANGES, UNASSIGNED_ZONE, ZoneBodySchema, ZoneNameSchema, ZoneSchema } from '../../../../intent/index.js';
import { etag, ifMatch, intentErrorHandler, rejectUnroutableNames } from '../../../../plugins/intent.js';

const BuiltinZone = Type.Object({ name: Type.String(), kind: Type.String(), cidrs: Type.Array(Type.String()), description: Type.String() });
const BUILTIN = [
  {
    name: UNASSIGNED_ZONE,
    kind: BUILTIN_ZONE_KINDS[UNASSIGNED_ZONE]!,
    cidrs: UNASSIGNED_RANGES.map((r) => r.cidr),
    description: 'private, unique-local, link-local, loopback and CGNAT space no declared zone covers',
  },
  { name: INTERNET_ZONE, kind: BUILTIN_ZONE_KINDS[INTERNET_ZONE]!, cidrs: ['0.0.0.0/0', '::/0'], description: 'every other address no declared zone covers' },
];
const errors = { '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };
const Params = Type.Object({ name: ZoneNameSchema });

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { intent } = fastify;
  fastify.setErrorHandler(intentErrorHandler);

  fastify.get(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Declared zones and the built-in ones (unassigned, internet)',
        tags: ['intent'],
        response: { 200: Type.Object({ version: Type.String(), zones: Type.Array(ZoneSchema), builtin: Type.Array(BuiltinZone) }), ...errors },
      },
    },
    async (_request, reply) => {
      const state = await intent.get();
      reply.header('ETag', etag(state.version));
      return { version: state.version, zones: state.intent.zones, builtin: BUILTIN };
    },
  );

  const Saved = Type.Object({ version: Type.String(), zone: ZoneSchema });
  fastify.put(
    '/:name',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Add or replace a zone',
        tags: ['intent'],
        params: Params,
        body: ZoneBodySchema,
        response: { 200: Saved, 201: Saved, ...errors },
      },
    },
    async (request, reply) => {
      const zone = { name: request.params.name, ...request.body };
      const { state, created } = await intent.upsertZone(zone, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version)).code(created ? 201 : 200);
      return { version: state.version, zone: state.intent.zones.find((z) => z.name === zone.name)! };
    },
  );

  fastify.delete(
    '/:name',
    { onRequest: fastify.requireApiToken, schema: { summary: 'Delete a zone', tags: ['intent'], params: Params, response: { 204: Type.Null(), ...errors } } },
    async (request, reply) => {
      const { state } = await intent.deleteZone(request.params.name, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version)).code(204);
      return null;
    },
  );

  rejectUnroutableNames(fastify, 'zone');
};

export default plugin;
