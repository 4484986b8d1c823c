// Bearer-token checks as onRequest hooks (they run before the body is read, so a caller without a
// valid token costs no parsing). Tokens are compared in constant time over their SHA-256 digests
// (equal lengths for timingSafeEqual, no early exit across several tokens), and never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';
import { sendError } from '../errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: the API token (SURFACEMAP_TOKEN). */
    requireApiToken: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** onRequest hook: an agent token (SURFACEMAP_AGENT_TOKEN, comma-separated) or the API token. */
    requireAgentToken: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when `presented` equals one of `accepted`; time does not depend on which, or on prefixes. */
export function tokenMatches(presented: string, accepted: readonly Buffer[]): boolean {
  const d = digest(presented);
  let ok = false;
  for (const a of accepted) ok = timingSafeEqual(d, a) || ok;
  return ok;
}

function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

function hookFor(accepted: readonly Buffer[], what: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = bearer(request);
    if (token === null) {
      reply.header('WWW-Authenticate', 'Bearer');
      return sendError(reply, 401, `missing "Authorization: Bearer <${what}>" header`);
    }
    if (!tokenMatches(token, accepted)) {
      reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      return sendError(reply, 401, `the ${what} is not valid`);
    }
  };
}

async function authPlugin(fastify: FastifyInstance, opts: { config: ServerConfig }) {
  const api = [digest(opts.config.apiToken)];
  const agents = [...opts.config.agentTokens.map(digest), ...api];
  fastify.decorate('requireApiToken', hookFor(api, 'API token'));
  fastify.decorate('requireAgentToken', hookFor(agents, 'agent token'));
}

export default fp(authPlugin, { name: 'auth' });
