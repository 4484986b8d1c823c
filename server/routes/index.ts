// GET / and every client-side route of the web UI (status-page.ts); no token needed to load the app,
// which asks for one and sends it only as a header.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { registerWebUi } from './status-page.js';

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  await registerWebUi(fastify);
};

export default plugin;
