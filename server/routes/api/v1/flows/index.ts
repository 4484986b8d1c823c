// GET /api/v1/flows — raw flow records for the flows table: filters, sorting, paging.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IpAddress, Label, Proto, RangeQuery, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema } from '../../../../errors.js';

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { analysisRepository } = fastify;
  fastify.get(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Raw flow records',
        tags: ['analysis'],
        querystring: Type.Object(
          {
            ...RangeQuery,
            src: Type.Optional(IpAddress),
            dst: Type.Optional(IpAddress),
            port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
            proto: Type.Optional(Proto),
            app: Type.Optional(Label),
            auth: Type.Optional(Label),
            sort: Type.Union([Type.Literal('start'), Type.Literal('bytes'), Type.Literal('packets'), Type.Literal('dport')], { default: 'start' }),
            order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ total: Type.Integer(), flows: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
          '4xx': ErrorResponseSchema,
          '5xx': ErrorResponseSchema,
        },
      },
    },
    async (request) => {
      const q = request.query;
      for (const k of ['src', 'dst'] as const) {
        const v = q[k];
        if (v !== undefined && !/^[0-9.]+$|:/.test(v)) throw Object.assign(new Error(`querystring/${k} must be an IP address`), { statusCode: 400 });
      }
      return analysisRepository.flows(
        parseRange(q),
        { src: q.src, dst: q.dst, port: q.port, proto: q.proto, app: q.app, auth: q.auth },
        { sort: q.sort, order: q.order, limit: q.limit, offset: q.offset },
      );
    },
  );
};

export default plugin;
