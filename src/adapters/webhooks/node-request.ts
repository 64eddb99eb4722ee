import { readBounded } from "../../webhooks/body.js";
import type { HeaderLookup } from "../../webhooks/delivery-headers.js";

/** A Node `IncomingMessage` as the webhook helpers read it (Express, Koa and Fastify all hand one over). */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly readableEnded?: boolean;
}

/** Header lookup over Node's lower-cased header record (first value when repeated). */
export function nodeHeaders(headers: NodeRequestLike["headers"]): HeaderLookup {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

/**
 * The raw body: bytes a body parser kept (`rawBody`, or a Buffer body from a raw parser), else the
 * stream read now (at most `maxBytes`; `undefined` when larger). Throws when a parser consumed the
 * stream without keeping the bytes: re-serialised JSON is not what Turnkey signed.
 */
export async function rawBodyOf(request: NodeRequestLike, kept: unknown, maxBytes: number): Promise<Uint8Array | undefined> {
  if (kept instanceof Uint8Array) return kept;
  if (typeof kept === "string") return new TextEncoder().encode(kept);
  if (request.readableEnded === true || (request as { _body?: unknown })._body === true) {
    throw new TypeError("turnkey-session-auth: a body parser read the webhook request without keeping its raw bytes; mount the webhook route before it, or keep them (see docs/webhooks.md)");
  }
  if (Number(nodeHeaders(request.headers)("content-length") ?? "0") > maxBytes) return undefined;
  return readBounded(request, maxBytes);
}
