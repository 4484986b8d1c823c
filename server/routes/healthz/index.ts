// GET /healthz — no token; 200 when the store answers, 503 when it does not (for load balancers).
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  store: Type.Union([Type.Literal('embedded'), Type.Literal('server')]),
});

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { store } = fastify;
  fastify.get('/', { schema: { response: { 200: HealthSchema, 503: HealthSchema } } }, async (_request, reply) => {
    const ok = await store.ping();
    if (!ok) reply.code(503);
    return { status: ok ? ('ok' as const) : ('unavailable' as const), store: store.kind };
  });
};

export default plugin;
