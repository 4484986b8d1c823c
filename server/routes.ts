// Registers every `routes/**/index.(ts|js)` with its folder as the URL prefix, so the URL is the path:
// routes/api/v1/ingest/index.ts → /api/v1/ingest. (@fastify/autoload does the same, but its import()
// runs outside vitest's module loader and cannot load the TypeScript sources in tests.)
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';

const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** Folders under `dir` that hold a route file, as URL prefixes ('/healthz', '/api/v1/ingest'). */
export function findRouteFiles(dir: string): { file: string; prefix: string }[] {
  const out: { file: string; prefix: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === `index${EXT}`) {
        const rel = relative(dir, d).split(sep).join('/');
        out.push({ file: join(d, e.name), prefix: rel === '' ? '/' : `/${rel}` });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => a.prefix.localeCompare(b.prefix));
}

export const ROUTES_DIR = fileURLToPath(new URL('./routes/', import.meta.url));

export async function registerRoutes(fastify: FastifyInstance, dir = ROUTES_DIR): Promise<void> {
  for (const { file, prefix } of findRouteFiles(dir)) {
    const mod = (await import(pathToFileURL(file).href)) as { default: FastifyPluginAsync };
    await fastify.register(mod.default, { prefix });
  }
}
