// GET /api/v1/export/spec — the procurement spec of a range as CSV, XLSX or Markdown (a download).
// GET /api/v1/export/allowlist — an allow-list for a crown jewel, a zone or everything, generated from
// the observed crossing flows (source=observed) or the intent's rules (source=intent), as nftables,
// NetworkPolicy, CiliumNetworkPolicy, AWS security group rules or CSV; `format=json` gives the rules,
// their sizing and every format's warnings side by side. docs/api.md "Exports", docs/exports.md.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { JewelName, RangeQuery, ZoneName, parseRange } from '../../../../api-schemas.js';
import { badRequest, ErrorResponseSchema } from '../../../../errors.js';
import {
  ALLOWLIST_FORMATS,
  parseSelector,
  renderAllowlist,
  renderSpecCsv,
  renderSpecMarkdown,
  renderSpecXlsx,
  sizing,
  type AllowlistOptions,
  type ExportWarning,
  type Labels,
} from '../../../../export/index.js';
import { AllowRuleSchema, type AllowRule } from '../../../../intent/index.js';
import { dateOf, ensureExportRepository, rulesInScope } from '../../../../repositories/export-repository.js';
import { Aggregate, attachment, checkExpires, checkScope, Expires, exportErrorHandler, Owner, Reason, SizingSchema, WarningSchema } from './shared.js';

const errors = { '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema };

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SPEC_FORMATS = {
  csv: { type: 'text/csv; charset=utf-8', ext: 'csv' },
  md: { type: 'text/markdown; charset=utf-8', ext: 'md' },
  xlsx: { type: XLSX_TYPE, ext: 'xlsx' },
} as const;

const SpecQuery = Type.Object(
  {
    ...RangeQuery,
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('md')], { description: 'csv | xlsx | md' }),
  },
  { additionalProperties: false },
);

/** Owner used for rules generated straight into a file (not saved): say so rather than invent one. */
export const UNSAVED_OWNER = 'unowned';

export const AllowlistQuery = Type.Object(
  {
    ...RangeQuery,
    jewel: Type.Optional(JewelName),
    zone: Type.Optional(ZoneName),
    format: Type.Union([...ALLOWLIST_FORMATS.map((f) => Type.Literal(f)), Type.Literal('json')], {
      description: 'nftables | k8s | cilium | aws | csv; json: the rules, sizing and each format\'s warnings',
    }),
    source: Type.Union([Type.Literal('observed'), Type.Literal('intent')], {
      default: 'observed',
      description: "observed: generate the tightest rules from the range's crossing flows; intent: the YAML's rules",
    }),
    aggregate: Type.Optional(Aggregate),
    owner: Type.Optional(Owner),
    reason: Type.Optional(Reason),
    expires: Type.Optional(Expires),
    hook: Type.Optional(Type.Union([Type.Literal('input'), Type.Literal('forward')], { description: 'nftables: input (on the jewel host, default) or forward (on a firewall)' })),
    selector: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9./_-]{0,252}=[A-Za-z0-9._-]{0,63}(,[A-Za-z0-9][A-Za-z0-9./_-]{0,252}=[A-Za-z0-9._-]{0,63}){0,19}$',
        description: 'k8s/cilium: pod labels of the protected workload, e.g. app=customer-db,tier=db',
      }),
    ),
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', description: 'k8s/cilium: metadata.namespace' })),
    group_id: Type.Optional(Type.String({ pattern: '^sg-[0-9a-f]{8,17}$', description: 'aws: the security group of the jewel or zone' })),
  },
  { additionalProperties: false },
);

const AllowlistJson = Type.Object({
  scope: Type.Object({ jewel: Type.Optional(Type.String()), zone: Type.Optional(Type.String()) }),
  source: Type.String(),
  from: Type.String(),
  to: Type.String(),
  rules: Type.Array(AllowRuleSchema),
  sizing: SizingSchema,
  warnings: Type.Record(Type.String(), Type.Array(WarningSchema), { description: 'per format' }),
});

const text = (what: string) => ({ schema: Type.String({ description: what }) });

/** `expired=1,icmp-not-expressible=2` */
function warningCodes(ws: readonly ExportWarning[]): string {
  const n = new Map<string, number>();
  for (const w of ws) n.set(w.code, (n.get(w.code) ?? 0) + 1);
  return [...n].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, k]) => `${c}=${k}`).join(',');
}

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  await ensureExportRepository(fastify);
  const { exportRepository, intent } = fastify;
  fastify.setErrorHandler(exportErrorHandler);

  fastify.get(
    '/spec',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'The procurement spec of a range: boundary-crossing patterns, summary, requirements, observation completeness',
        tags: ['exports'],
        querystring: SpecQuery,
        response: {
          200: {
            description: 'a download (Content-Disposition: attachment)',
            content: {
              'text/csv': text('one row per pattern'),
              'text/markdown': text('summary, patterns and completeness as GitHub tables'),
              [XLSX_TYPE]: { schema: Type.String({ format: 'binary', description: 'sheets Summary, Patterns, Completeness' }) },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const range = parseRange(q);
      const model = await exportRepository.spec(range, new Date());
      const f = SPEC_FORMATS[q.format];
      const body = q.format === 'csv' ? renderSpecCsv(model) : q.format === 'md' ? renderSpecMarkdown(model) : await renderSpecXlsx(model);
      reply
        .type(f.type)
        .header('Content-Disposition', attachment(`surfacemap-spec-${dateOf(range.from)}_${dateOf(range.to)}.${f.ext}`))
        .header('X-Surfacemap-Patterns', String(model.rows.length));
      // NOTE: the typed reply only knows the JSON shapes; the body here is the file (text or XLSX bytes).
      return (reply as FastifyReply).send(body);
    },
  );

  fastify.get(
    '/allowlist',
    {
      onRequest: fastify.requireApiToken,
      schema: {
        summary: 'An allow-list for a crown jewel, a zone or everything, in one of five formats (or the rule model as JSON)',
        description:
          'Headers: X-Surfacemap-Rules, X-Surfacemap-Sizing (JSON), X-Surfacemap-Warnings (count), X-Surfacemap-Warning-Codes (code=count,…).',
        tags: ['exports'],
        querystring: AllowlistQuery,
        response: {
          200: {
            description: 'a download (Content-Disposition: attachment), or the rules as JSON',
            content: {
              'text/plain': text('nftables: a complete `nft -f` file'),
              'application/yaml': text('k8s / cilium: multi-document YAML'),
              'text/csv': text('rule,src_name,src_cidr,dst_name,dst_cidr,dport,proto,owner,reason,created,expires,protects'),
              'application/json': { schema: AllowlistJson },
            },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const range = parseRange(q);
      const scope = { jewel: q.jewel, zone: q.zone };
      const now = new Date();
      checkScope(intent.current().intent, scope);
      checkExpires(q.expires, 'querystring/expires');
      let selector: Labels | undefined;
      if (q.selector !== undefined) {
        try {
          selector = parseSelector(q.selector);
        } catch (err) {
          throw badRequest(`querystring/selector: ${(err as Error).message}`);
        }
      }
      if (q.group_id !== undefined && q.jewel === undefined && q.zone === undefined) throw badRequest('querystring/group_id needs jewel or zone (the group it belongs to)');

      let rules: AllowRule[];
      let targetsFrom: Parameters<typeof exportRepository.targets>[0] = [];
      if (q.source === 'intent') {
        if (q.owner !== undefined || q.reason !== undefined || q.expires !== undefined || q.aggregate !== undefined)
          throw badRequest('owner, reason, expires and aggregate apply to generated rules (source=observed), not to the intent\'s own rules');
        rules = rulesInScope(intent.current().intent.rules, scope);
      } else {
        const g = await exportRepository.generate(range, scope, { owner: q.owner ?? UNSAVED_OWNER, reason: q.reason, expires: q.expires, aggregate: q.aggregate, now });
        rules = g.rules;
        targetsFrom = g.edges;
      }
      const name = q.jewel ?? q.zone;
      const options: AllowlistOptions = {
        targets: await exportRepository.targets(targetsFrom),
        now: now.toISOString(),
        ...(q.hook ? { hook: q.hook } : {}),
        ...(selector ? { selector } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.group_id && name ? { groupIds: { [name]: q.group_id } } : {}),
      };
      const empty: ExportWarning[] =
        rules.length === 0
          ? [{ code: 'no-rules', message: q.source === 'intent' ? 'the intent has no rules for this scope: the allow-list admits nothing new' : 'no boundary-crossing flows observed for this scope in the range: the allow-list admits nothing new' }]
          : [];
      const size = sizing(rules);
      const base = { scope: { ...(q.jewel ? { jewel: q.jewel } : {}), ...(q.zone ? { zone: q.zone } : {}) }, source: q.source, from: range.from.toISOString(), to: range.to.toISOString() };
      if (q.format === 'json') {
        const warnings: Record<string, ExportWarning[]> = {};
        for (const f of ALLOWLIST_FORMATS) warnings[f] = [...empty, ...renderAllowlist(f, rules, options).warnings];
        return reply.type('application/json; charset=utf-8').send({ ...base, rules, sizing: size, warnings });
      }
      const out = renderAllowlist(q.format, rules, options);
      const warnings = [...empty, ...out.warnings];
      const label = q.jewel !== undefined ? `jewel-${q.jewel}` : q.zone !== undefined ? `zone-${q.zone}` : 'all';
      reply
        .type(out.contentType)
        .header('Content-Disposition', attachment(`surfacemap-allowlist-${label}.${out.extension}`))
        .header('X-Surfacemap-Rules', String(rules.length))
        .header('X-Surfacemap-Sizing', JSON.stringify(size))
        .header('X-Surfacemap-Warnings', String(warnings.length))
        .header('X-Surfacemap-Warning-Codes', warningCodes(warnings));
      return reply.send(out.text);
    },
  );
};

export default plugin;
