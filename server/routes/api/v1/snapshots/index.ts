// Sprint snapshots: POST /api/v1/snapshots, GET /api/v1/snapshots, DELETE /api/v1/snapshots/:name,
// GET /api/v1/snapshots/diff?a=NAME&b=NAME|now (docs/api.md).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EdgeSchema, RangeQuery, SnapshotName, SnapshotSchema, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema } from '../../../../errors.js';

const DiffEdge = Type.Omit(EdgeSchema, ['clients']);
const Errors = { '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { snapshotRepository } = fastify;
  const onRequest = fastify.requireApiToken;

  fastify.get(
    '/',
    { onRequest, schema: { summary: 'List snapshots', tags: ['snapshots'], response: { 200: Type.Object({ snapshots: Type.Array(SnapshotSchema) }), ...Errors } } },
    async () => ({ snapshots: await snapshotRepository.list() }),
  );

  fastify.post(
    '/',
    {
      onRequest,
      schema: {
        summary: "Save the range's edges under a name",
        tags: ['snapshots'],
        body: Type.Object({ name: SnapshotName, ...RangeQuery }, { additionalProperties: false }),
        response: { 201: SnapshotSchema, ...Errors },
      },
    },
    async (request, reply) => {
      const { name, ...q } = request.body;
      const saved = await snapshotRepository.create(name, parseRange(q));
      return reply.code(201).send(saved);
    },
  );

  fastify.delete(
    '/:name',
    { onRequest, schema: { summary: 'Delete a snapshot', tags: ['snapshots'], params: Type.Object({ name: SnapshotName }), response: { 204: Type.Null(), ...Errors } } },
    async (request, reply) => {
      await snapshotRepository.remove(request.params.name);
      return reply.code(204).send(null);
    },
  );

  fastify.get(
    '/diff',
    {
      onRequest,
      schema: {
        summary: 'New, gone and changed edges between two snapshots, or a snapshot and now',
        tags: ['snapshots'],
        querystring: Type.Object(
          {
            a: SnapshotName,
            b: Type.Optional(SnapshotName),
            ...RangeQuery,
            min_change: Type.Number({ minimum: 0, maximum: 1000, default: 0.5, description: 'fraction of flows or bytes that counts as changed' }),
            limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000, description: 'rows at most in each of new, gone and changed' }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            a: SnapshotSchema,
            b: Type.Object({ name: Type.String(), from: Type.String(), to: Type.String() }, { additionalProperties: true }),
            new: Type.Array(DiffEdge),
            gone: Type.Array(DiffEdge),
            changed: Type.Array(Type.Intersect([DiffEdge, Type.Object({ flows_before: Type.Integer(), bytes_before: Type.Integer() })])),
            totals: Type.Object(
              { new: Type.Integer(), gone: Type.Integer(), changed: Type.Integer() },
              { description: 'how many edges each list has in all (each list holds at most `limit`)' },
            ),
          }),
          ...Errors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const b = q.b === undefined || q.b === 'now' ? null : q.b;
      return snapshotRepository.diff(q.a, b, parseRange(q), { minChange: q.min_change, limit: q.limit });
    },
  );
};

export default plugin;
