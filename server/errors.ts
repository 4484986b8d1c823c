// One error shape for every response that is not a success: `{ "error": string, "message": string }`,
// where `error` is the HTTP status name and `message` says what to fix. One handler maps everything
// thrown in the app to it.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { StoreDataError, StoreUnavailableError } from './store/index.js';

export const ErrorResponseSchema = Type.Object(
  { error: Type.String(), message: Type.String() },
  { $id: 'ErrorResponse' },
);

/** Seconds a client should wait before retrying when the store is unavailable. */
export const RETRY_AFTER_S = 5;

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const unauthorized = (message: string) => new HttpError(401, message);
export const unsupportedMediaType = (message: string) => new HttpError(415, message);

function statusName(code: number): string {
  return STATUS_CODES[code] ?? 'Error';
}

export function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).type('application/json; charset=utf-8').send({ error: statusName(statusCode), message });
}

/** Fastify's own error codes whose message is fine to show as is. */
function fastifyMessage(err: FastifyError): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'request body is larger than the limit (after decompression)';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Content-Type must be application/json';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body is empty';
    default:
      return err.message;
  }
}

export function errorHandler(this: FastifyInstance, err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err instanceof StoreUnavailableError) {
    request.log.warn({ err: err.message }, 'store unavailable');
    reply.header('Retry-After', String(RETRY_AFTER_S));
    return sendError(reply, 503, `${err.message}; retry in ${RETRY_AFTER_S} s`);
  }
  if (err instanceof StoreDataError) return sendError(reply, 400, err.message);
  if (err.validation) {
    // Fastify's schema validation: message already names the field ("body/x must be …").
    return sendError(reply, 400, err.message);
  }
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err }, 'unhandled error');
    return sendError(reply, status, 'internal error; see the server log');
  }
  return sendError(reply, status, fastifyMessage(err));
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return sendError(reply, 404, `no route for ${request.method} ${request.url.split('?')[0]}`);
}
