// Writing responses: JSON bodies with upstream's headers, and Status bodies for errors.
import type { ServerResponse } from 'node:http';
import type { ApiError } from './status.js';

export function writeJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.headersSent) {
    // A streaming response already started (a watch): nothing sensible can be written now.
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function writeStatus(res: ServerResponse, err: ApiError): void {
  writeJson(res, err.code, err.status);
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, private',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
