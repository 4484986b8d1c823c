// GET /api/v1/inventory — discovered assets, declared assets never seen, and unknown assets ranked by
// their contact with crown jewels.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RangeQuery, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema } from '../../../../errors.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const Asset = Type.Object({
  ip: Type.String(),
  name: NullableString,
  names: Type.Array(Type.Object({ name: Type.String(), source: Type.String() })),
  zone: Type.String(),
  declared: Type.Boolean(),
  owner: NullableString,
  role: NullableString,
  jewel: NullableString,
  flows: Type.Integer(),
  bytes: Type.Integer(),
  first_seen: Type.String(),
  last_seen: Type.String(),
  jewel_flows: Type.Integer(),
  jewel_bytes: Type.Integer(),
  jewel_peers: Type.Integer(),
});
const Declared = Type.Object({
  name: Type.String(),
  address: Type.String(),
  owner: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
});

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { analysisRepository } = fastify;
  fastify.get(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Discovered, declared-but-unseen and unknown assets',
        tags: ['analysis'],
        querystring: Type.Object(
          {
            ...RangeQuery,
            include_internet: Type.Boolean({ default: false, description: 'list public addresses no zone covers too' }),
            limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ discovered: Type.Array(Asset), declared_unseen: Type.Array(Declared), unknown: Type.Array(Asset) }),
          '4xx': ErrorResponseSchema,
          '5xx': ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const q = request.query;
      return analysisRepository.inventory(parseRange(q), { includeInternet: q.include_internet, limit: q.limit });
    },
  );
};

export default plugin;
