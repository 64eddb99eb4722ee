// A framework of the tests' own for the adapter kit (turnkey-session-auth/adapter): a plain object
// per request, read by a RequestReader, as an adapter for another framework would write one.
import type { PathMatching, RequestReader } from "../../../src/adapter.js";

export interface TestRequest {
  readonly method?: string;
  /** The request target as received. Default `/me`. */
  readonly target?: string;
  readonly headers?: Record<string, string>;
  readonly rawHeaders?: readonly string[];
  readonly params?: Record<string, string>;
  /** Where the granted session is kept; the request itself by default. */
  readonly holder?: object;
}

/** Express's routing: case-insensitive, one trailing slash ignored, repeated slashes kept. */
export const EXPRESS_LIKE: PathMatching = { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false };

export const testReader: RequestReader<TestRequest> = {
  pathMatching: EXPRESS_LIKE,
  method: (request) => request.method ?? "GET",
  target: (request) => request.target ?? "/me",
  headers: (request) => request.headers ?? {},
  rawHeaders: (request) => request.rawHeaders,
  params: (request) => request.params ?? {},
  query: () => ({}),
  holder: (request) => request.holder ?? request,
};

export const bearer = (token: string, extra: Partial<TestRequest> = {}): TestRequest => ({ headers: { authorization: `Bearer ${token}` }, ...extra });
