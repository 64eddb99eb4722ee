import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GrpcCode, TurnkeyApiError, invalidArgument, notFound } from "./api-error.js";
import { RingBuffer } from "./bounded.js";
import { checkConfigId, type AuthProxyConfig } from "./auth-proxy.js";
import type { EmulatorServices, Route } from "./context.js";
import type { CorsPolicy } from "./cors.js";
import { checkFault, type EmulatorFault, type EmulatorFaults } from "./faults.js";
import { authorizeStamp, readStamp, type Caller } from "./stamp.js";

/**
 * One request the emulator received, for assertions in tests.
 *
 * @example
 * ```ts
 * const lookups = emulator.requests.filter((request: EmulatorRequestRecord) => request.path === "/public/v1/query/get_user").length;
 * ```
 */
export interface EmulatorRequestRecord {
  /** The emulator's clock when the request arrived. */
  readonly at: number;
  readonly path: string;
  /** The body's `organizationId`, when the body was JSON with one of at most 256 characters. */
  readonly organizationId?: string;
  /** The HTTP status answered, or `"reset"` when the connection was dropped. */
  readonly status: number | "reset";
  /** The injected fault that shaped the answer, if any. */
  readonly fault?: EmulatorFault["kind"];
}

const MAX_BODY_BYTES = 1024 * 1024;
// Longer is no organization id, and is not kept in the request log (a junk body can be 1 MiB).
const MAX_LOGGED_ID_LENGTH = 256;
const DEFAULT_SLOW_MS = 5000;

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function organizationIdOf(body: unknown): string | undefined {
  const id = (body as { organizationId?: unknown } | null)?.organizationId;
  return typeof id === "string" && id.length <= MAX_LOGGED_ID_LENGTH ? id : undefined;
}

/** The Auth Proxy the server also answers: its configuration, routes, and the parent user it acts as. */
export interface AuthProxyService {
  readonly config: AuthProxyConfig;
  readonly routes: ReadonlyMap<string, Route>;
  readonly caller: Caller;
}

/** What an {@link EmulatorHttpServer} serves. */
export interface EmulatorHttpServerOptions {
  readonly services: EmulatorServices;
  /** Turnkey's API (`/public/v1/...`): stamped requests. */
  readonly routes: ReadonlyMap<string, Route>;
  readonly authProxy: AuthProxyService;
  readonly requestLogSize: number;
  readonly cors: CorsPolicy;
  /** Unauthenticated `GET` documents (the webhook JWKS): path → body and its `Cache-Control`. */
  readonly documents: ReadonlyMap<string, () => { readonly body: unknown; readonly cacheControl: string }>;
}

/** The emulator's HTTP side: body reading, stamps, routing, Turnkey-style errors, fault injection. */
export class EmulatorHttpServer implements EmulatorFaults {
  /** The latest requests, oldest first. */
  readonly log: RingBuffer<EmulatorRequestRecord>;
  readonly #server: Server;
  readonly #services: EmulatorServices;
  readonly #routes: ReadonlyMap<string, Route>;
  readonly #authProxy: AuthProxyService;
  readonly #cors: CorsPolicy;
  readonly #documents: EmulatorHttpServerOptions["documents"];
  /** Pending `slow` delays: each timer and how to end its wait early (on close). */
  readonly #sleeps = new Map<NodeJS.Timeout, () => void>();
  #fault: EmulatorFault | undefined;
  #port = 0;
  #listening = false;
  #closed = false;

  constructor(options: EmulatorHttpServerOptions) {
    this.log = new RingBuffer(options.requestLogSize);
    this.#services = options.services;
    this.#routes = options.routes;
    this.#authProxy = options.authProxy;
    this.#cors = options.cors;
    this.#documents = options.documents;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch(() => response.destroy());
    });
  }

  get port(): number {
    return this.#port;
  }

  get current(): EmulatorFault | undefined {
    return this.#fault;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, "127.0.0.1", () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#listening = true;
  }

  async set(fault: EmulatorFault): Promise<void> {
    const checked = checkFault(fault);
    if (this.#closed) throw new Error("the emulator is closed");
    this.#fault = checked;
    if (checked.kind === "down") await this.#stopListening();
    else if (!this.#listening) await this.listen(this.#port);
  }

  async clear(): Promise<void> {
    this.#fault = undefined;
    if (!this.#closed && !this.#listening) await this.listen(this.#port);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const [timer, wake] of this.#sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.#sleeps.clear();
    await this.#stopListening();
  }

  async #stopListening(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleeps.delete(timer);
        resolve(!this.#closed);
      }, ms);
      this.#sleeps.set(timer, () => resolve(false));
    });
  }

  /** Answers JSON, with the CORS headers every answer carries (errors and injected faults too). */
  #send(request: IncomingMessage, response: ServerResponse, status: number, body: string): void {
    response.writeHead(status, { ...this.#cors.answerHeaders(request.headers), "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    response.end(body);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = this.#services.now();
    const path = (request.url ?? "/").split("?")[0] as string;
    const raw = await readBody(request);
    if (request.method === "OPTIONS") {
      // A CORS preflight, on any path: answered before faults apply, so that a browser sees the
      // injected fault on the request itself, as it would see Turnkey's own failure.
      this.log.push(Object.freeze({ at, path, status: 204 }));
      response.writeHead(204, this.#cors.preflightHeaders(request.headers));
      response.end();
      return;
    }
    let parsed: unknown;
    try {
      parsed = raw === undefined ? undefined : JSON.parse(raw.toString("utf8"));
    } catch {
      parsed = undefined;
    }
    const organizationId = organizationIdOf(parsed);
    const record = (status: number | "reset", fault?: EmulatorFault["kind"]) =>
      this.log.push(Object.freeze({ at, path, status, ...(organizationId === undefined ? {} : { organizationId }), ...(fault === undefined ? {} : { fault }) }));

    const fault = this.#fault !== undefined && (this.#fault.endpoint === undefined || this.#fault.endpoint === path) ? this.#fault : undefined;
    if (fault?.kind === "reset") {
      record("reset", "reset");
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "status500") {
      record(500, "status500");
      this.#send(request, response, 500, JSON.stringify(new TurnkeyApiError(GrpcCode.INTERNAL, "internal server error (injected by the Turnkey emulator)").toBody()));
      return;
    }
    if (fault?.kind === "malformedJson") {
      record(200, "malformedJson");
      this.#send(request, response, 200, '{"activity":{"id":"');
      return;
    }
    if (fault?.kind === "slow" && !(await this.#sleep(fault.delayMs ?? DEFAULT_SLOW_MS))) {
      request.socket.destroy();
      return;
    }

    const document = request.method === "GET" ? this.#documents.get(path) : undefined;
    if (document !== undefined) {
      const { body, cacheControl } = document();
      record(200, fault?.kind);
      response.setHeader("cache-control", cacheControl);
      this.#send(request, response, 200, JSON.stringify(body));
      return;
    }
    let status = 200;
    let answer: unknown;
    try {
      answer = await this.#answer(request, path, raw, parsed);
    } catch (error) {
      const apiError =
        error instanceof TurnkeyApiError
          ? error
          : new TurnkeyApiError(GrpcCode.INTERNAL, `internal error in the Turnkey emulator: ${error instanceof Error ? error.message : String(error)}`);
      status = apiError.httpStatus;
      answer = apiError.toBody();
    }
    record(status, fault?.kind);
    this.#send(request, response, status, JSON.stringify(answer));
  }

  async #answer(request: IncomingMessage, path: string, raw: Buffer | undefined, parsed: unknown): Promise<unknown> {
    const proxyRoute = this.#authProxy.routes.get(path);
    if (request.method === "POST" && proxyRoute !== undefined) return this.#answerProxy(request, proxyRoute, raw, parsed);
    const route = this.#routes.get(path);
    if (request.method !== "POST" || route === undefined) throw notFound(`no such endpoint in the Turnkey emulator: ${request.method ?? ""} ${path}`);
    if (raw === undefined) throw invalidArgument(`request body is larger than ${MAX_BODY_BYTES} bytes`);
    const stamp = readStamp(request.headers, raw);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalidArgument("request body must be a JSON object");
    const body = parsed as Record<string, unknown>;
    const { caller, organizationId } = authorizeStamp(this.#services, stamp, body.organizationId, path);
    return route({ ...this.#services, caller, organizationId, body, rawBody: raw });
  }

  /** An Auth Proxy request: authenticated by its config id, acting as the parent; no body reads as `{}` (`@turnkey/core` posts none to the config routes). */
  async #answerProxy(request: IncomingMessage, route: Route, raw: Buffer | undefined, parsed: unknown): Promise<unknown> {
    if (raw === undefined) throw invalidArgument(`request body is larger than ${MAX_BODY_BYTES} bytes`);
    checkConfigId(request.headers["x-auth-proxy-config-id"], this.#authProxy.config);
    const body = raw.length === 0 ? {} : parsed;
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidArgument("request body must be a JSON object");
    const { caller } = this.#authProxy;
    return route({ ...this.#services, caller, organizationId: caller.organizationId, body: body as Record<string, unknown>, rawBody: raw });
  }
}
