// One named collection of the intent file as REST routes (zones, crown jewels, declared inventory):
//   GET /              the collection in file order (+ any extra fields), with an ETag
//   PUT /:name         adds or replaces one entry (201 when added, 200 when replaced), If-Match honoured
//   DELETE /:name      204; 404 when there is none (400 when something still refers to it)
// Edits keep the YAML's comments and order; invalid input answers 400 naming the field.
// Not a route file itself (routes.ts registers only `index` files): each collection's index.ts calls it.
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { ErrorResponseSchema } from '../errors.js';
import type { EditOptions, Edited, Intent, IntentStore } from '../intent/index.js';
import { etag, ifMatch, intentErrorHandler, rejectUnroutableNames } from '../plugins/intent.js';

const errors = { '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };

export interface IntentCollectionRoutes<E extends { name: string }> {
  /** Singular, for messages and summaries: 'crown jewel'. */
  what: string;
  /** Key of the GET answer's array ('crown_jewels') and of the PUT answer's entry ('crown_jewel'). */
  listKey: string;
  itemKey: string;
  nameSchema: TSchema;
  entrySchema: TSchema;
  /** The PUT body: the entry without its name (the name is the URL's). */
  bodySchema: TObject;
  summaries: { list: string; put: string; delete: string };
  entries(intent: Intent): readonly E[];
  upsert(store: IntentStore, entry: E, opts: EditOptions): Promise<Edited>;
  remove(store: IntentStore, name: string, opts: EditOptions): Promise<Edited>;
  /** Extra fields of the GET answer, fixed (e.g. the built-in zones). */
  extra?: { schema: Record<string, TSchema>; value: Record<string, unknown> };
}

export function intentCollectionRoutes<E extends { name: string }>(c: IntentCollectionRoutes<E>): FastifyPluginAsync {
  const Params = Type.Object({ name: c.nameSchema });
  const Saved = Type.Object({ version: Type.String(), [c.itemKey]: c.entrySchema });
  const Listed = Type.Object({ version: Type.String(), [c.listKey]: Type.Array(c.entrySchema), ...(c.extra?.schema ?? {}) });

  return async (fastify: FastifyInstance) => {
    const { intent } = fastify;
    fastify.setErrorHandler(intentErrorHandler);

    fastify.get(
      '/',
      { onRequest: fastify.requireApiToken, schema: { summary: c.summaries.list, tags: ['intent'], response: { 200: Listed, ...errors } } },
      async (_request, reply) => {
        const state = await intent.get();
        reply.header('ETag', etag(state.version));
        return { version: state.version, [c.listKey]: c.entries(state.intent), ...(c.extra?.value ?? {}) };
      },
    );

    fastify.put<{ Params: { name: string }; Body: Omit<E, 'name'> }>(
      '/:name',
      {
        onRequest: fastify.requireApiToken,
        schema: { summary: c.summaries.put, tags: ['intent'], params: Params, body: c.bodySchema, response: { 200: Saved, 201: Saved, ...errors } },
      },
      async (request, reply) => {
        const entry = { name: request.params.name, ...(request.body as object) } as E;
        const { state, created } = await c.upsert(intent, entry, { ifVersion: ifMatch(request) });
        reply.header('ETag', etag(state.version)).code(created ? 201 : 200);
        return { version: state.version, [c.itemKey]: c.entries(state.intent).find((e) => e.name === entry.name)! };
      },
    );

    fastify.delete<{ Params: { name: string } }>(
      '/:name',
      {
        onRequest: fastify.requireApiToken,
        schema: { summary: c.summaries.delete, tags: ['intent'], params: Params, response: { 204: Type.Null(), ...errors } },
      },
      async (request, reply) => {
        const { state } = await c.remove(intent, request.params.name, { ifVersion: ifMatch(request) });
        reply.header('ETag', etag(state.version)).code(204);
        return null;
      },
    );

    rejectUnroutableNames(fastify, c.what);
  };
}
