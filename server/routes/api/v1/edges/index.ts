// GET /api/v1/edges — boundary-crossing edges (or all with crossing=false), largest first (docs/api.md).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AssetRef, EdgeSchema, JewelName, Label, Proto, RangeQuery, ZoneName, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema } from '../../../../errors.js';

export const EdgesQuery = Type.Object(
  {
    ...RangeQuery,
    crossing: Type.Boolean({ default: true, description: 'false: every edge, intra-zone too' }),
    zone: Type.Optional(ZoneName),
    asset: Type.Optional(AssetRef),
    jewel: Type.Optional(JewelName),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    proto: Type.Optional(Proto),
    app: Type.Optional(Label),
    auth: Type.Optional(Label),
    group: Type.Union([Type.Literal('asset'), Type.Literal('zone')], { default: 'asset' }),
    limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
    offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
  },
  { additionalProperties: false },
);

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { analysisRepository } = fastify;
  fastify.get(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Edges between assets (or zones), boundary-crossing only by default',
        tags: ['analysis'],
        querystring: EdgesQuery,
        response: {
          200: Type.Object({ from: Type.String(), to: Type.String(), total: Type.Integer(), edges: Type.Array(EdgeSchema) }),
          '4xx': ErrorResponseSchema,
          '5xx': ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const range = parseRange(q);
      const { total, edges } = await analysisRepository.edges(
        range,
        { crossing: q.crossing, zone: q.zone, asset: q.asset, jewel: q.jewel, port: q.port, proto: q.proto, app: q.app, auth: q.auth },
        { limit: q.limit, offset: q.offset },
        q.group,
      );
      return { from: range.from.toISOString(), to: range.to.toISOString(), total, edges };
    },
  );
};

export default plugin;
