// POST /api/v1/rules/generate — the tightest allow-list rules admitting a range's observed crossing flows
// around a crown jewel, a zone or everything; with `save: true` they are written into the intent YAML's
// `rules` (by id: added or replaced), each with owner, reason, created and optional expires.
// GET /api/v1/rules/hygiene — the intent's rules that no flow used in N days, that are broader than the
// traffic they admit, that lack an owner or reason, or that expired. docs/api.md "Exports".
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { JewelName, ZoneName, parseRange } from '../../../../api-schemas.js';
import { ErrorResponseSchema } from '../../../../errors.js';
import type { FindingKind } from '../../../../export/index.js';
import { AllowRuleSchema } from '../../../../intent/index.js';
import { etag, ifMatch } from '../../../../plugins/intent.js';
import { ensureExportRepository } from '../../../../repositories/export-repository.js';
import { Aggregate, checkExpires, checkScope, Expires, exportErrorHandler, Owner, Reason, SizingSchema } from '../export/shared.js';

const FINDING_KINDS: readonly FindingKind[] = ['expired', 'unused', 'any-address', 'any-port', 'wide-port-range', 'broad-prefix', 'missing-owner', 'missing-reason'];

const errors = { '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };

const GenerateBody = Type.Object(
  {
    jewel: Type.Optional(JewelName),
    zone: Type.Optional(ZoneName),
    owner: Owner,
    reason: Reason,
    expires: Type.Optional(Expires),
    save: Type.Boolean({ default: false, description: 'write the rules into the intent YAML' }),
    aggregate: Type.Optional(Aggregate),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'observed range; default: `to` − 7 days' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
  },
  { additionalProperties: false },
);

const GenerateResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  rules: Type.Array(AllowRuleSchema),
  sizing: SizingSchema,
  saved: Type.Boolean(),
  /** When saved: the intent file's new version and what changed. */
  version: Type.Optional(Type.String()),
  added: Type.Optional(Type.Integer()),
  updated: Type.Optional(Type.Integer()),
  unchanged: Type.Optional(Type.Integer()),
});

const HygieneResponse = Type.Object({
  now: Type.String(),
  days: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  rules: Type.Integer(),
  findings: Type.Array(
    Type.Object({
      rule: Type.String(),
      kind: Type.Unsafe<FindingKind>(Type.String({ enum: [...FINDING_KINDS] })),
      message: Type.String(),
    }),
  ),
});

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  await ensureExportRepository(fastify);
  const { exportRepository, intent } = fastify;
  fastify.setErrorHandler(exportErrorHandler);

  fastify.post(
    '/generate',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'Generate the tightest rules for a crown jewel, a zone or everything from observed flows (and save them)',
        tags: ['rules'],
        body: GenerateBody,
        response: { 200: GenerateResponse, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const range = parseRange(b);
      const scope = { jewel: b.jewel, zone: b.zone };
      checkScope(intent.current().intent, scope);
      checkExpires(b.expires, 'body/expires');
      const g = await exportRepository.generate(range, scope, { owner: b.owner, reason: b.reason, expires: b.expires, aggregate: b.aggregate, now: new Date() });
      const out = { from: range.from.toISOString(), to: range.to.toISOString(), rules: g.rules, sizing: g.sizing, saved: false };
      if (!b.save || g.rules.length === 0) return out;
      const { state, detail } = await intent.upsertRules(g.rules, { ifVersion: ifMatch(request) });
      reply.header('ETag', etag(state.version));
      return { ...out, saved: true, version: state.version, ...detail };
    },
  );

  fastify.get(
    '/hygiene',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: "The intent's rules unused for N days, broader than their traffic, without owner or reason, or expired",
        tags: ['rules'],
        querystring: Type.Object(
          { days: Type.Integer({ minimum: 1, maximum: 400, default: 30, description: 'a rule with no match in this many days is unused' }) },
          { additionalProperties: false },
        ),
        response: { 200: HygieneResponse, ...errors },
      },
    },
    async (request) => {
      const now = new Date();
      const days = request.query.days;
      const r = await exportRepository.hygiene(days, now);
      return { now: now.toISOString(), days, from: r.from, to: r.to, rules: r.rules, findings: r.findings };
    },
  );
};

export default plugin;
