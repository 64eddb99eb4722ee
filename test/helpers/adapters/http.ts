// A real HTTP round trip on 127.0.0.1 for the Node-based adapters (Express, Koa) and the hostile
// servers. node:http rather than fetch/supertest, because only a raw header list can send the same
// header twice.
import { createServer, request, type Agent, type IncomingHttpHeaders, type RequestListener, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";

export type HeaderPairs = ReadonlyArray<readonly [string, string]>;

export interface TestReply {
  readonly status: number;
  header(name: string): string | undefined;
  /** Parsed JSON (or the raw text); `any` so that assertions can reach into it. */
  readonly body: any;
}

export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type NodeHeaders = IncomingHttpHeaders | Readonly<Record<string, string | string[] | number | undefined>>;

export function replyOf(status: number, headers: NodeHeaders | Headers, text: string): TestReply {
  const header =
    headers instanceof Headers
      ? (name: string) => headers.get(name) ?? undefined
      : (name: string) => {
          const value = headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(", ") : value === undefined ? undefined : String(value);
        };
  return { status, header, body: parseBody(text) };
}

export interface SendInit {
  method?: string;
  body?: string;
  /** An HTTP agent (keep-alive pools in the load test); Node's global agent when absent. */
  agent?: Agent | undefined;
}

export interface LiveServer {
  readonly port: number;
  request(path: string, headers?: HeaderPairs, init?: SendInit): Promise<TestReply>;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Node's limit on request headers (default 16 KiB). */
  maxHeaderSize?: number | undefined;
  /** The agent `request` uses unless its own `init` names one. */
  agent?: Agent | undefined;
}

/** Listens on 127.0.0.1, port 0 (any free port). */
export async function listen(listener: RequestListener, options: ListenOptions = {}): Promise<LiveServer> {
  const { maxHeaderSize, agent } = options;
  const server = createServer(maxHeaderSize === undefined ? {} : { maxHeaderSize }, listener);
  if (agent !== undefined) keepIdleSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    request: (path, headers = [], init = {}) => send(port, path, headers, { agent, ...init }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Leaves a keep-alive client's idle sockets open for it to close (`agent.destroy()`): a server that
 * closes one at its keepAliveTimeout (Node 5 s, Fastify 72 s) while the client reuses it resets the
 * client's request (ECONNRESET), which a slow machine makes likely between two tests.
 */
export function keepIdleSockets(server: Server): void {
  server.keepAliveTimeout = 0; // no timeout (Node's http docs)
}

/** Listens as {@link listen} does, runs `use`, and closes the server whatever `use` did. */
export async function withServer<T>(listener: RequestListener, use: (server: LiveServer) => Promise<T>): Promise<T> {
  const server = await listen(listener);
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

/** One request, headers sent exactly as listed (a name may repeat). */
export function send(port: number, path: string, headers: HeaderPairs, init: SendInit = {}): Promise<TestReply> {
  // A raw header list gets no automatic Host header, and Node's server refuses a request without one.
  const raw = ["host", `127.0.0.1:${port}`, ...headers.flat()];
  if (init.body !== undefined) raw.push("content-type", "application/json", "content-length", String(Buffer.byteLength(init.body)));
  return new Promise((resolve, reject) => {
    const { agent } = init;
    const options = { host: "127.0.0.1", port, path, method: init.method ?? "GET", headers: raw, ...(agent === undefined ? {} : { agent }) };
    const outgoing = request(options, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("error", reject);
      incoming.on("end", () => resolve(replyOf(incoming.statusCode ?? 0, incoming.headers, Buffer.concat(chunks).toString("utf8"))));
    });
    outgoing.on("error", reject);
    outgoing.end(init.body);
  });
}

/**
 * One GET over a raw TCP connection, the request target written exactly as given (absolute-form,
 * dot segments, `//`, `#`, `*`: what an HTTP client library would normalise or refuse).
 */
export function sendRaw(port: number, target: string, headers: HeaderPairs = []): Promise<TestReply> {
  const head = [`GET ${target} HTTP/1.1`, `host: 127.0.0.1:${port}`, ...headers.map(([name, value]) => `${name}: ${value}`), "connection: close", "", ""];
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => socket.write(head.join("\r\n"), "latin1"));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      try {
        resolve(parseRawReply(Buffer.concat(chunks).toString("latin1")));
      } catch (error) {
        reject(error);
      }
    });
  });
}

// `text` is latin1 (one character a byte), so that chunk sizes count characters; the body is UTF-8.
function parseRawReply(text: string): TestReply {
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) throw new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = "", ...lines] = text.slice(0, split).split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
  return replyOf(status, headers, Buffer.from(body, "latin1").toString("utf8"));
}

function dechunk(chunked: string): string {
  let body = "";
  let at = 0;
  for (;;) {
    const lineEnd = chunked.indexOf("\r\n", at);
    const size = Number.parseInt(chunked.slice(at, lineEnd), 16);
    if (!(size > 0)) return body;
    body += chunked.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
