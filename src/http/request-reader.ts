import type { HeadersLike, RequestLike } from "../request.js";
import type { TokenSource } from "./extract-token.js";
import type { PathMatching } from "./path-matching.js";

/**
 * How an adapter reads its framework's requests, given once to `createAuthenticator`. The
 * functions are called only when needed (`params` and `query` when a policy reads them).
 *
 * @example
 * ```ts
 * const reader: RequestReader<IncomingMessage> = {
 *   pathMatching: { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false },
 *   method: (req) => req.method ?? "GET",
 *   target: (req) => req.url ?? "/",
 *   headers: (req) => req.headers,
 *   rawHeaders: (req) => req.rawHeaders,
 *   params: () => ({}),
 *   query: () => ({}),
 *   holder: (req) => req,
 * };
 * ```
 */
export interface RequestReader<Native> {
  /** How the framework's router compares paths; the adapter option `pathMatching` overrides it. */
  readonly pathMatching: PathMatching;
  method(request: Native): string;
  /** The request target as the router was given it: origin-form `/a/b?q` or absolute-form `http://host/a/b?q`. */
  target(request: Native): string;
  headers(request: Native): HeadersLike;
  /** Node's raw header list, where the framework has one (see {@link RequestLike.rawHeaders}). */
  rawHeaders?(request: Native): readonly string[] | undefined;
  params(request: Native): Readonly<Record<string, string | undefined>>;
  query(request: Native): Readonly<Record<string, unknown>>;
  /** An object of this request only, on which the authenticator keeps the session it granted (for route policies). */
  holder(request: Native): object;
}

/** The {@link TokenSource} extraction reads, over a framework's request: each part read only when asked for. */
export class TokenSourceView<Native> implements TokenSource {
  constructor(
    protected readonly request: Native,
    protected readonly reader: RequestReader<Native>,
  ) {}
  // Node builds `req.headers` from the raw list on first read; the raw list alone answers for Authorization.
  get headers() { return this.reader.headers(this.request); }
  get rawHeaders() { return this.reader.rawHeaders?.(this.request); }
}

/** The {@link RequestLike} that policies read, over a framework's request; its path is computed by the caller. */
export class RequestView<Native> extends TokenSourceView<Native> implements RequestLike {
  constructor(
    request: Native,
    reader: RequestReader<Native>,
    readonly path: string,
  ) {
    super(request, reader);
  }
  get method() { return this.reader.method(this.request); }
  get params() { return this.reader.params(this.request); }
  get query() { return this.reader.query(this.request); }
}
