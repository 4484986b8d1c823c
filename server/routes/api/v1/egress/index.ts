// GET /api/v1/egress — what each asset calls outbound (per-service egress).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AssetRef, RangeQuery, ZoneName, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema } from '../../../../errors.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const Service = Type.Object({
  asset: Type.String(),
  name: NullableString,
  zone: Type.String(),
  flows: Type.Integer(),
  bytes: Type.Integer(),
  destinations: Type.Array(
    Type.Object({
      dst: Type.String(),
      dst_name: NullableString,
      dst_zone: Type.String(),
      dport: Type.Integer(),
      proto: Type.String(),
      app: Type.String(),
      flows: Type.Integer(),
      bytes: Type.Integer(),
    }),
  ),
});

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { analysisRepository } = fastify;
  fastify.get(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Outbound calls per asset (up to 100 destinations each)',
        tags: ['analysis'],
        querystring: Type.Object(
          {
            ...RangeQuery,
            asset: Type.Optional(AssetRef),
            zone: Type.Optional(ZoneName),
            limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ services: Type.Array(Service) }), '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema },
      },
    },
    async (request) => {
      const q = request.query;
      return analysisRepository.egress(parseRange(q), { asset: q.asset, zone: q.zone, limit: q.limit });
    },
  );
};

export default plugin;
