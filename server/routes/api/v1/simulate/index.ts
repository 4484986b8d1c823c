// POST /api/v1/simulate — replays a range's observed crossing flows (default: the last 7 days) against a
// rule set and lists what it would deny, grouped, with volume: before anyone flips default-deny.
// The rule set is the intent YAML's rules (no body), `{ "rules": [...] }` (JSON), or a policy file
// (Content-Type: text/yaml: an intent file, or a file with just `rules:` naming the server's jewels and
// zones); a policy with errors is a 400 naming the line. `surfacemap check` calls this.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RangeQuery, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema, unsupportedMediaType } from '../../../../errors.js';
import { AllowRuleSchema, type AllowRule } from '../../../../intent/index.js';
import { checkRules, ensureExportRepository, parsePolicy } from '../../../../repositories/export-repository.js';
import { exportErrorHandler, SimulationSchema } from '../export/shared.js';

const errors = { '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };
const YAML_TYPES = ['text/yaml', 'application/yaml', 'application/x-yaml', 'text/x-yaml'];

const JsonBody = Type.Object({ rules: Type.Optional(Type.Array(AllowRuleSchema, { maxItems: 100_000 })) }, { additionalProperties: false });

const SimulateResponse = Type.Intersect([
  Type.Object({
    from: Type.String(),
    to: Type.String(),
    now: Type.String(),
    source: Type.Union([Type.Literal('intent'), Type.Literal('body'), Type.Literal('policy')]),
    rules: Type.Integer({ description: 'rules simulated' }),
  }),
  SimulationSchema,
]);

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  await ensureExportRepository(fastify);
  const { exportRepository, intent } = fastify;
  fastify.setErrorHandler(exportErrorHandler);
  fastify.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, async (_request: unknown, body: string | Buffer) => body.toString());
  fastify.addContentTypeParser('*', async () => {
    throw unsupportedMediaType('send { "rules": [...] } as application/json, or a policy file as text/yaml');
  });

  fastify.post(
    '/',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Simulate a rule set (the intent\'s, or uploaded) against the observed range: every flow it would deny, grouped',
        tags: ['rules'],
        querystring: Type.Object({ ...RangeQuery }, { additionalProperties: false }),
        body: {
          content: {
            'application/json': { schema: JsonBody },
            'text/yaml': { schema: Type.String({ description: 'a policy file: an intent YAML, or `rules:` only' }) },
          },
        },
        response: { 200: SimulateResponse, ...errors },
      },
    },
    async (request) => {
      const range = parseRange(request.query);
      const base = intent.current().intent;
      const body = request.body as unknown;
      let rules: readonly AllowRule[];
      let source: 'intent' | 'body' | 'policy';
      if (typeof body === 'string') {
        rules = parsePolicy(body, base);
        source = 'policy';
      } else if (body !== undefined && body !== null && (body as { rules?: AllowRule[] }).rules !== undefined) {
        rules = checkRules((body as { rules: AllowRule[] }).rules, base);
        source = 'body';
      } else {
        rules = base.rules;
        source = 'intent';
      }
      const now = new Date();
      const sim = await exportRepository.simulate(rules, range, now);
      return { from: range.from.toISOString(), to: range.to.toISOString(), now: now.toISOString(), source, rules: rules.length, ...sim };
    },
  );
};

export default plugin;
