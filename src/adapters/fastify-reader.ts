import type { FastifyInstance, FastifyRequest } from "fastify";
import type { RequestReader } from "../http/request-reader.js";

/**
 * How this instance reads requests, with its router's (find-my-way) settings. A setting counts if it
 * is on either as a router option or in its deprecated top-level form: `initialConfig` fills in
 * both, so which one the router took is not visible.
 */
export function fastifyReader(fastify: FastifyInstance): RequestReader<FastifyRequest> {
  const config = fastify.initialConfig as Readonly<Record<string, unknown>> & { routerOptions?: Readonly<Record<string, unknown>> };
  const router = config.routerOptions ?? {};
  const either = (name: string) => config[name] === true || router[name] === true;
  return {
    pathMatching: {
      caseSensitive: config.caseSensitive !== false && router.caseSensitive !== false,
      strict: !either("ignoreTrailingSlash"),
      mergeSlashes: either("ignoreDuplicateSlashes"),
      semicolonEndsPath: either("useSemicolonDelimiter"),
    },
    method: (request) => request.method,
    target: (request) => request.url, // what the router was given, after any rewriteUrl
    headers: (request) => request.headers,
    rawHeaders: (request) => request.raw.rawHeaders,
    params: (request) => request.params as Readonly<Record<string, string | undefined>>,
    query: (request) => request.query as Readonly<Record<string, unknown>>,
    holder: (request) => request,
  };
}
