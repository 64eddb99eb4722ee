// Calls to this page's own backend (same origin: no CORS). The session JWT travels only in the
// Authorization header, with a DPoP proof signed by the session key; neither is written to the page.

/** A backend answer: HTTP status and JSON body (`{}` when empty). */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** What the page needs to know to talk to Turnkey (here: the emulator), served by the backend. */
export interface PageConfig {
  /** Turnkey's API: `https://api.turnkey.com` in production, the emulator's URL here. */
  apiBaseUrl: string;
  /** Your Turnkey organization (the parent of every user's sub-organization). */
  parentOrganizationId: string;
  /**
   * The key that signs OTP bundles: the emulator's. In production leave it out, and
   * `@turnkey/crypto` checks Turnkey's own production key.
   */
  otpSignerPublicKey: string;
}

/** A `fetch` that sends the session: `dpopFetch` (token and proof), or a plain one. */
export type SessionFetch = (input: string, init?: RequestInit) => Promise<Response>;

interface CallOptions {
  body?: unknown;
  /** A token sent as `Authorization: Bearer`, with no proof. */
  bearer?: string;
  send?: SessionFetch;
}

async function call(method: "GET" | "POST", path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
  const send = options.send ?? fetch;
  const response = await send(path, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    if (text !== "") body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: "not_json" };
  }
  return { status: response.status, body };
}

/** `POST /auth/:flow`: the login-flow helpers of turnkey-session-auth/flows. */
export function postFlow(flow: "signup" | "otp-init" | "otp-verify" | "otp-login", body: unknown): Promise<Answer> {
  return call("POST", `/auth/${flow}`, { body });
}

/** A protected route, through `send`: `dpopFetch` adds the session JWT and a proof signed by its key. */
export function getSigned(path: string, send: SessionFetch): Promise<Answer> {
  return call("GET", path, { send });
}

/** A protected route with a token alone, as `Authorization: Bearer` (what a copied token allows), or nothing. */
export function getUnsigned(path: string, bearer: string | undefined): Promise<Answer> {
  return call("GET", path, bearer === undefined ? {} : { bearer });
}

/** The page's configuration. */
export async function getConfig(): Promise<PageConfig> {
  const { status, body } = await call("GET", "/config.json");
  if (status !== 200) throw new Error(`GET /config.json answered ${status}`);
  return body as unknown as PageConfig;
}

/**
 * DEMO ONLY: the code the emulator "sent" by email. A real backend never sees OTP codes (Turnkey
 * emails them); this route exists only in `npm run demo:web` so nobody needs a mailbox.
 */
export async function readDemoInbox(contact: string): Promise<string | undefined> {
  const { status, body } = await call("GET", `/demo-only/otp-inbox?contact=${encodeURIComponent(contact)}`);
  return status === 200 && typeof body.code === "string" ? body.code : undefined;
}
