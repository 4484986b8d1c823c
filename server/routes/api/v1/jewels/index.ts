// GET /api/v1/jewels/:name/surface — one crown jewel's micro-perimeter: every inbound and outbound edge
// and the boundary it crosses.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EdgeSchema, JewelName, RangeQuery, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema, HttpError } from '../../../../errors.js';

const SurfaceEdge = Type.Intersect([
  EdgeSchema,
  Type.Object({ boundary: Type.Union([Type.Literal('zone'), Type.Literal('jewel'), Type.Literal('none')]) }),
]);

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { analysisRepository } = fastify;
  fastify.get(
    '/:name/surface',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: "A crown jewel's protect surface: inbound and outbound edges with the boundary each crosses",
        tags: ['analysis'],
        params: Type.Object({ name: JewelName }),
        querystring: Type.Object(
          { ...RangeQuery, limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 5000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            jewel: Type.String(),
            owner: Type.String(),
            why: Type.String(),
            match: Type.Array(Type.String()),
            from: Type.String(),
            to: Type.String(),
            inbound: Type.Array(SurfaceEdge),
            outbound: Type.Array(SurfaceEdge),
          }),
          '4xx': ErrorResponseSchema,
          '5xx': ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const { name } = request.params;
      const jewel = fastify.intent.current().intent.crown_jewels.find((j) => j.name === name);
      if (jewel === undefined) throw new HttpError(404, `no crown jewel named ${JSON.stringify(name)} in the intent file`);
      const range = parseRange(request.query);
      const s = await analysisRepository.surface(range, name, request.query.limit);
      return {
        jewel: name,
        owner: jewel.owner,
        why: jewel.why,
        match: jewel.match,
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        ...s,
      };
    },
  );
};

export default plugin;
