// Serves the built web UI (web/ → `vite build` → dist/web) at `/`, as a fastify plugin:
// - hashed assets (`/assets/index-3f9a….js`) cached for a year, immutable;
// - index.html never cached (`no-store`), so a new build is picked up on the next load;
// - any other GET path that is not under /api/, /docs or /assets/ answers index.html, so a shared
//   link such as /map?range=24h&zone=office opens the app on that view (client-side routing);
// - a strict CSP (`default-src 'self'`, no inline scripts or styles; blob:/data: images for the map's
//   PNG export) and `nosniff` on everything it serves.
// Without a build (a source checkout before `npm run build`), `/` says so instead.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const YEAR_S = 365 * 24 * 3600;

/** The folder holding package.json, from dist/server/routes/ (built) or server/routes/ (source). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no package.json above server/routes');
    dir = up;
  }
  return dir;
}

export const DEFAULT_WEB_DIR = join(packageRoot(), 'dist', 'web');

export const NO_BUILD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>surfacemap · web UI not built</title>
</head>
<body>
<h1>surfacemap</h1>
<p>The server is running, but the web UI has not been built in this checkout.</p>
<p>Run <code>npm run build</code> (it builds the server and the UI into <code>dist/</code>), then reload this page.
The API answers at <code>/api/v1/</code> in the meantime; its description is at <code>/docs</code>.</p>
</body>
</html>
`;

/** Paths that are never the app: the API, the API docs, and asset files that do not exist. */
const NOT_APP = /^\/(api|docs|assets)(\/|$)/;

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
}

/**
 * Registers the UI routes on `fastify` (used inside routes/index.ts, prefix `/`). `webDir` is the built
 * UI; tests pass a folder of their own.
 */
export async function registerWebUi(fastify: FastifyInstance, webDir = DEFAULT_WEB_DIR): Promise<void> {
  fastify.addHook('onSend', async (_request, reply, payload) => {
    securityHeaders(reply);
    return payload;
  });

  if (!existsSync(join(webDir, 'index.html'))) {
    fastify.get('/', async (_request, reply) =>
      reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NO_BUILD_HTML),
    );
    return;
  }

  await fastify.register(fastifyStatic, {
    root: webDir,
    prefix: '/',
    // One route per file found at start-up (a new build needs a restart, as any new server code does),
    // and no route for `/`: the routes below own it.
    wildcard: false,
    index: false,
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders: (reply: FastifyReply, path: string) => {
      const hashed = /[\\/]assets[\\/]/.test(path);
      reply.header('cache-control', hashed ? `public, max-age=${YEAR_S}, immutable` : 'no-store');
    },
  });

  const sendIndex = (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').sendFile('index.html', { cacheControl: false });
  fastify.get('/', sendIndex);
  fastify.get('/*', (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (NOT_APP.test(path)) return reply.callNotFound();
    return sendIndex(request, reply);
  });
}
