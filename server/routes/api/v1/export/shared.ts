// What the export, rules and simulate routes share: parameter schemas (every string has a pattern, so
// an injection attempt is a 400 naming the field before anything runs), response schemas of the rule
// model's outputs, and one error handler mapping export/intent errors to 400/404.
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, errorHandler, HttpError } from '../../../../errors.js';
import { intentHttpError } from '../../../../plugins/intent.js';
import { scopeProblem, TooManyEdgesError, type Scope } from '../../../../repositories/export-repository.js';
import type { Intent } from '../../../../intent/index.js';

/** A rule's owner: a team, a person or an address. */
export const Owner = Type.String({
  pattern: "^[\\p{L}\\p{N}][\\p{L}\\p{N} _.@+:/-]{0,199}$",
  description: "who owns the rules: letters, digits, spaces and _ . @ + : / - (at most 200)",
});
/** Why the rules exist; the observation is appended to it. */
export const Reason = Type.String({
  pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N} _.,:/@+#%()-]{0,499}$',
  description: 'why: letters, digits, spaces and _ . , : / @ + # % ( ) - (at most 500)',
});
export const Expires = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z)?$',
  description: 'an ISO date (2026-12-31) or UTC date-time (2026-12-31T18:00:00Z)',
});
export const Aggregate = Type.Literal('cidr', { description: 'merge hosts into the smallest prefixes that cover exactly them' });

/** `expires` must be a real date (the pattern lets 2026-02-31 through). */
export function checkExpires(expires: string | undefined, field: string): void {
  if (expires === undefined) return;
  const t = Date.parse(expires.length === 10 ? `${expires}T00:00:00Z` : expires);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== expires.slice(0, 10)) throw badRequest(`${field} ${JSON.stringify(expires)} is not a real date`);
}

/** 400 for jewel and zone together, 404 for a name the intent does not declare. */
export function checkScope(intent: Intent, scope: Scope): void {
  const p = scopeProblem(intent, scope);
  if (p !== null) throw new HttpError(p.status, p.message);
}

export const SizingSchema = Type.Object({
  rules: Type.Integer(),
  distinct_addresses: Type.Integer(),
  distinct_cidrs: Type.Integer(),
  distinct_labels: Type.Integer(),
  ports: Type.Integer(),
  by_proto: Type.Record(Type.String(), Type.Integer()),
});

export const WarningSchema = Type.Object({ rule: Type.Optional(Type.String()), code: Type.String(), message: Type.String() });

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const SimulationSchema = Type.Object({
  admitted: Type.Integer({ description: 'flows in scope that some rule admits' }),
  denied_flows: Type.Integer({ description: 'flows in scope that no rule admits' }),
  out_of_scope: Type.Integer({ description: 'flows these rules do not govern' }),
  denied: Type.Array(
    Type.Object({
      src: Type.String(),
      src_name: Nullable(Type.String()),
      dst: Type.String(),
      dst_name: Nullable(Type.String()),
      dport: Type.Integer(),
      proto: Type.String(),
      app: Nullable(Type.String()),
      flows: Type.Integer(),
      bytes: Type.Integer(),
      reason: Type.String(),
    }),
  ),
  by_rule: Type.Record(Type.String(), Type.Integer()),
  usage: Type.Record(
    Type.String(),
    Type.Object({
      flows: Type.Integer(),
      bytes: Type.Integer(),
      last_matched: Nullable(Type.String()),
      src_hosts: Type.Integer(),
      dst_hosts: Type.Integer(),
    }),
  ),
});

/** Export errors as HTTP errors, then the app's handler. */
export function exportErrorHandler(this: FastifyInstance, err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const mapped = err instanceof TooManyEdgesError ? badRequest(err.message) : intentHttpError(err);
  return errorHandler.call(this, mapped as FastifyError, request, reply);
}

/** `attachment; filename="…"` for a name made of safe characters only. */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
}
