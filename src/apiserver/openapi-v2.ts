// OpenAPI v2 (/openapi/v2): a valid document with no paths and no definitions. kubectl's
// validation asks the v3 documents first and only falls back here when a manifest's kind is not
// in them (an unknown kind, or a kind under the wrong apiVersion). With nothing to match, kubectl
// concludes the server does not validate that kind, finds no schema for it client-side, and lets
// discovery answer: `no matches for kind "X" in version "Y"`, as against upstream for a kind that
// does not exist. A 404 here instead fails the whole apply with "failed to download openapi".
// Namespace is deliberately absent: listing its fieldValidation support would make kubectl look
// the kind up among CustomResourceDefinitions, which this server does not serve.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from '../api/object.js';
import { KUBE_MAJOR, KUBE_MINOR } from './discovery.js';

/**
 * The protobuf media type (gnostic's openapi_v2.Document). kubectl asks for the deprecated "@"
 * spelling; the answer carries this one, as upstream, since Go's mime parser rejects the "@".
 */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const OPENAPI_V2_PROTOBUF_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const TITLE = 'Kubernetes';

function infoVersion(): string {
  return `v${KUBE_MAJOR}.${KUBE_MINOR}.0`;
}

export function openApiV2Document(): JsonObject {
  return { swagger: '2.0', info: { title: TITLE, version: infoVersion() }, paths: {}, definitions: {} };
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** One length-delimited field (wire type 2): a string or an embedded message. */
function field(num: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([...varint((num << 3) | 2), ...varint(payload.length)]), payload]);
}

/**
 * The same document as gnostic's protobuf openapi_v2.Document: swagger = 1, info = 2
 * (Info: title = 1, version = 2), paths = 8 (empty Paths), definitions = 9 (empty Definitions).
 */
export function encodeOpenApiV2(): Buffer {
  const info = Buffer.concat([field(1, Buffer.from(TITLE)), field(2, Buffer.from(infoVersion()))]);
  return Buffer.concat([field(1, Buffer.from('2.0')), field(2, info), field(8, Buffer.alloc(0)), field(9, Buffer.alloc(0))]);
}

/** True when the Accept header lists the protobuf media type (parameters and q-values ignored). */
export function acceptsProtobuf(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .map((part) => (part.split(';')[0] ?? '').trim().toLowerCase())
    .some((media) => media === OPENAPI_V2_PROTOBUF || media === OPENAPI_V2_PROTOBUF_DEPRECATED);
}

/** Protobuf when the client asks for it (kubectl does), JSON otherwise, as upstream. */
export function serveOpenApiV2(req: IncomingMessage, res: ServerResponse): void {
  const proto = acceptsProtobuf(req.headers.accept);
  const body = proto ? encodeOpenApiV2() : Buffer.from(JSON.stringify(openApiV2Document()));
  res.writeHead(200, {
    'Content-Type': proto ? OPENAPI_V2_PROTOBUF : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': body.length,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
