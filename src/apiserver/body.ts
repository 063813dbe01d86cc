// Request bodies: read with upstream's 3 MiB limit, decoded from JSON, YAML or (for the kinds
// protobuf/envelope.ts knows) Kubernetes protobuf into untrusted `unknown`, and checked to be an
// object. Every failure is a Status error with a clear message.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../base/errors.js';
import { isJsonObject, type JsonObject } from '../api/object.js';
import { badRequest, requestTooLarge, unsupportedMediaType } from './status.js';
import { decodeProtobufBody, PROTOBUF_MEDIA_TYPE } from './protobuf/envelope.js';

/** kube-apiserver's MaxRequestBodyBytes: 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Past this the connection is cut rather than drained, so a huge upload cannot tie the server up. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

export const BODY_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE] as const;

/**
 * The whole body; 413 when it exceeds `limit`. An oversized body is still drained (up to a cap)
 * so that the client, which is still sending, reads the 413 instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES) {
          cleanup();
          req.destroy();
          reject(requestTooLarge(limit));
        }
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      if (tooLarge) reject(requestTooLarge(limit));
      else resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(badRequest(`reading the request body failed: ${err.message}`));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** The media type without parameters, lower case; '' when absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Parses a JSON, YAML or protobuf body (by Content-Type; none means JSON, as upstream) into a value. */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const media = mediaTypeOf(contentType);
  if (media === PROTOBUF_MEDIA_TYPE) return decodeProtobufBody(body);
  const text = body.toString('utf8');
  if (media === '' || media === 'application/json' || media === '*/*') return parseJson(text);
  if (media === 'application/yaml' || media === 'application/x-yaml' || media === 'text/yaml') return parseYamlDoc(text);
  throw unsupportedMediaType(BODY_MEDIA_TYPES);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw badRequest('the request body is empty: send the object as JSON or YAML');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${errorMessage(err)} (${summarize(text)})`);
  }
}

function parseYamlDoc(text: string): unknown {
  if (text.trim() === '') throw badRequest('the request body is empty: send the object as JSON or YAML');
  try {
    // JSON-compatible values only: no custom tags, anchors resolved, one document.
    return parseYaml(text, { schema: 'core', merge: false, maxAliasCount: 100, uniqueKeys: true }) as unknown;
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${errorMessage(err).split('\n')[0] ?? ''}`);
  }
}

/** The body must be a JSON object; arrays and scalars are refused like upstream's decoder does. */
export function requireObject(value: unknown, text: Buffer): JsonObject {
  if (!isJsonObject(value)) {
    throw badRequest(`the object provided is unrecognized: expected a JSON object (${summarize(text.toString('utf8'))})`);
  }
  return value;
}

/** The first characters of a body for messages, as upstream's summarizeData does. */
export function summarize(text: string, max = 30): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)} ...` : flat;
}
