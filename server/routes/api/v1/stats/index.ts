// GET /api/v1/stats — API token; totals per L4 protocol and per-agent last contact.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '../../../../errors.js';
import { StatsSchema } from '../../../../repositories/stats-repository.js';

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { statsRepository } = fastify;
  fastify.get(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: { response: { 200: StatsSchema, '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema } },
    },
    async () => statsRepository.stats(),
  );
};

export default plugin;
