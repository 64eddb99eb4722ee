import type { IncomingMessage, RequestListener } from "node:http";
import { createAuthenticator, whenAuthenticated, type RequestReader } from "../../src/adapter.js";
import { requireReadWrite } from "../../src/index.js";
import type { ExampleConfig } from "../config.js";

// An adapter for plain node:http, written with the kit the built-in adapters use: how a request is
// read, given once; the authenticator does the rest (token, verification, policies, refusals).
const NODE_HTTP: RequestReader<IncomingMessage> = {
  // No router here: paths are compared exactly.
  pathMatching: { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false },
  method: (req) => req.method ?? "GET",
  target: (req) => req.url ?? "/",
  headers: (req) => req.headers,
  rawHeaders: (req) => req.rawHeaders, // so a repeated Authorization header is refused
  params: () => ({}),
  query: () => ({}),
  holder: (req) => req, // where the session is kept for route policies, per request
};

export function createApp(config: ExampleConfig): RequestListener {
  const authenticator = createAuthenticator(config.auth, NODE_HTTP);
  const readWrite = [requireReadWrite()]; // a route's own policies, on top of the configured ones

  return (req, res) => {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.url === "/health") return json(200, { ok: true });
    if (req.url !== "/me" && req.url !== "/transfers") return json(404, { error: "not_found" });
    const route = req.url === "/transfers" ? readWrite : undefined;
    whenAuthenticated(authenticator.authenticate(req, route), ({ session, failure }) => {
      if (failure !== undefined) return json(failure.status, failure.body, failure.headers);
      json(200, { userId: session?.userId, organizationId: session?.organizationId });
    });
  };
}
