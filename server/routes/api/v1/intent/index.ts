// GET /api/v1/intent — the intent file: { path, exists, version, intent, yaml, error, issues }.
// PUT /api/v1/intent — replaces the whole file with the YAML body (Content-Type: text/yaml or
// text/plain), validated first: 400 lists every problem as `surfacemap.yaml:LINE:COL path: message`.
// `ETag`/`If-Match` carry the version: a PUT with an old version answers 412 and writes nothing.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema, unsupportedMediaType } from '../../../../errors.js';
import { IntentIssueSchema, IntentSchema, type IntentState } from '../../../../intent/index.js';
import { etag, ifMatch, intentErrorHandler } from '../../../../plugins/intent.js';

const IntentStateSchema = Type.Object({
  path: Type.String(),
  exists: Type.Boolean(),
  version: Type.String(),
  /** The last valid intent (the empty one until there was one). */
  intent: IntentSchema,
  /** The file's text, valid or not. */
  yaml: Type.String(),
  /** Why `yaml` is not valid (then `intent` is the last valid one), else null. */
  error: Type.Union([Type.String(), Type.Null()]),
  issues: Type.Array(IntentIssueSchema),
});

const YAML_TYPES = ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/x-yaml'];

const view = (s: IntentState) => ({
  path: s.path,
  exists: s.exists,
  version: s.version,
  intent: s.intent,
  yaml: s.yaml,
  error: s.error?.message ?? null,
  issues: s.error?.issues ?? [],
});

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { intent } = fastify;
  fastify.setErrorHandler(intentErrorHandler);
  // The body is YAML text: text/yaml (and its aliases) or text/plain (fastify's own parser); no JSON.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, async (_request: unknown, body: string | Buffer) => body.toString());
  fastify.addContentTypeParser('*', async () => {
    throw unsupportedMediaType('send the YAML as the body with Content-Type: text/yaml');
  });

  const response = { 200: IntentStateSchema, '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };

  fastify.get(
    '/',
    { onRequest: fastify.requireApiToken, schema: { summary: 'The intent file: text, parsed intent, version and errors', tags: ['intent'], response } },
    async (_request, reply) => {
      const state = await intent.get();
      reply.header('ETag', etag(state.version));
      return view(state);
    },
  );

  fastify.put(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Replace the intent file with the YAML body (validated first; nothing is written when it is not valid)',
        tags: ['intent'],
        body: Type.String({ description: 'the whole YAML file' }),
        response,
      },
    },
    async (request, reply) => {
      if (typeof request.body !== 'string') throw unsupportedMediaType('send the YAML as the body with Content-Type: text/yaml');
      const { state } = await intent.replaceText(request.body, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version));
      return view(state);
    },
  );
};

export default plugin;
