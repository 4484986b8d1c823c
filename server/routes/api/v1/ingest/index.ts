// POST /api/v1/ingest — the collector. Contract (the agent's shipper is written to it):
// headers `Authorization: Bearer <agent token>`, `Content-Type: application/json`, optional
// `Content-Encoding: gzip`; body IngestBatchSchema (server/collector/ingest-batch.ts): flow records and,
// optionally, `names` (IP → name pairs from DNS answers, server/collector/ingest-names.ts); at least one
// of either. 200 { accepted, duplicate } (records stored by this request; `names` too for a batch with names);
// 400 invalid body (message names the field, e.g. `body/names/3/name`); 401 token; 413 too large
// (after decompression); 415 type or encoding; 503 + Retry-After when the store is unavailable.
// The body is parsed, validated and encoded in a worker thread (decode-pool), not by fastify's JSON
// parser on the event loop; so this route has no fastify body schema and validates with the same
// TypeBox schema there.
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IngestResultSchema, type DecodedBatch } from '../../../../collector/ingest-batch.js';
import { ErrorResponseSchema, badRequest, unsupportedMediaType } from '../../../../errors.js';

/** preParsing: gunzip when asked; fastify's body limit then counts decompressed bytes (zip bombs). */
async function decompress(request: FastifyRequest, _reply: unknown, payload: Readable): Promise<Readable> {
  const enc = String(request.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return payload;
  if (enc !== 'gzip' && enc !== 'x-gzip') {
    throw unsupportedMediaType(`Content-Encoding "${enc}" is not supported; send gzip or no encoding`);
  }
  const gunzip = createGunzip() as ReturnType<typeof createGunzip> & { receivedEncodedLength?: number };
  let encoded = 0;
  payload.on('data', (chunk: Buffer) => {
    encoded += chunk.length;
    gunzip.receivedEncodedLength = encoded;
  });
  // A corrupt stream errors `gunzip`; fastify answers that with 400.
  pipeline(payload, gunzip, () => undefined);
  return gunzip;
}

function isDecodedBatch(body: unknown): body is DecodedBatch {
  return typeof body === 'object' && body !== null && Array.isArray((body as DecodedBatch).chunks);
}

const plugin: FastifyPluginAsyncTypebox = async (fastify) => {
  const { decodePool, ingestRepository, config } = fastify;
  const bodyLimit = config.ingestBodyLimit;

  // Only inside this route's plugin: a JSON body arrives as bytes and goes to a worker, and no other
  // type is parsed (fastify's default text/plain parser included).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, async (_request: FastifyRequest, body: Buffer) => {
    const result = await decodePool.decode(body);
    if (!result.ok) throw badRequest(result.message);
    return result.batch;
  });

  fastify.post(
    '/',
    {
      bodyLimit,
      onRequest: fastify.requireAgentToken,
      preParsing: decompress,
      schema: { response: { 200: IngestResultSchema, '4xx': ErrorResponseSchema, '5xx': ErrorResponseSchema } },
    },
    async (request) => {
      // No body at all (and so no Content-Type) skips the parser.
      if (!isDecodedBatch(request.body)) throw unsupportedMediaType('send the batch as a Content-Type: application/json body');
      return ingestRepository.ingest(request.body);
    },
  );
};

export default plugin;
