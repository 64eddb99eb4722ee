// Configuration shared by the four examples (examples/<framework>/server.ts), read from the
// environment so the same code runs against Turnkey's production notarizer or a test one, and
// against Turnkey's API or a local emulator.
import { Turnkey } from "@turnkey/sdk-server";
import { createFlowHandler, isTurnkeyFlowError, subOrganizationsOf, type FlowHandler } from "../src/flows/index.js";
import { createClient } from "redis";
import type { AuthOptions } from "../src/adapter.js";
import { createMemoryStore, isTurnkeyAuthError, type SessionStore, type VerifyOptions } from "../src/index.js";
import { createRedisStore } from "../src/redis/index.js";

/** What an example app needs. `createApp(config)` uses `auth` and `handleFlow`; `server.ts` uses `port`. */
export interface ExampleConfig {
  /**
   * Options of the session middleware: `trustedOrganizations`, `notarizerPublicKey?`, `now?`, …, and
   * `dpop` with `dpopOptions` where requests must be signed by the session key (the web demo).
   */
  auth: VerifyOptions & Pick<AuthOptions, "dpop" | "dpopOptions">;
  /** Where `server.ts` listens, on 127.0.0.1. Default 3000. */
  port?: number;
  /**
   * Answers `POST /auth/:flow` with `{ status, body }`, e.g. the login-flow helpers' handler.
   * The route exists only when this is given.
   */
  handleFlow?: (flow: string, body: unknown, request?: { authorization?: string | undefined }) => Promise<{ status: number; body: unknown }>;
}

type Env = Readonly<Record<string, string | undefined>>;

const API_KEY_VARIABLES = ["TURNKEY_API_PUBLIC_KEY", "TURNKEY_API_PRIVATE_KEY", "TURNKEY_ORGANIZATION_ID"] as const;

/**
 * Reads the examples' configuration:
 * - `TURNKEY_NOTARIZER_PUBLIC_KEY`: the notarizer key sessions must be signed with. Default:
 *   Turnkey's production key.
 * - `TURNKEY_TRUSTED_ORGANIZATIONS`: comma-separated organization ids, or `any` (every Turnkey
 *   customer's sessions share the notarizer key, so `any` accepts sessions of organizations that
 *   are not yours). Default: the sub-organizations of `TURNKEY_ORGANIZATION_ID` when the API key
 *   below is set; without either, the examples refuse to start (an `Error` saying what to set).
 * - `TURNKEY_API_PUBLIC_KEY`, `TURNKEY_API_PRIVATE_KEY`, `TURNKEY_ORGANIZATION_ID` (all three, or
 *   none): your parent organization's API key. With them, `POST /auth/:flow` serves the login
 *   flows (`signup`, `otp-init`, `otp-verify`, `otp-login`).
 * - `TURNKEY_API_BASE_URL` (default `https://api.turnkey.com`), `TURNKEY_OTP_SIGNER_PUBLIC_KEY`
 *   (default: Turnkey's production key), `APP_NAME` (shown in OTP emails and SMS).
 * - `REDIS_URL`: a Redis every instance shares (revocations by `POST /auth/logout`). Default: a
 *   store in this process's memory, which serves one instance.
 * - `PORT`: default 3000.
 *
 * @example
 * ```ts
 * const config = loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "org-a,org-b", PORT: "8080" });
 * ```
 */
export function loadExampleConfig(env: Env = process.env): ExampleConfig & { port: number } {
  const notarizerPublicKey = env.TURNKEY_NOTARIZER_PUBLIC_KEY?.trim() || undefined;
  const turnkey = turnkeyApiFrom(env);
  const trustedOrganizations =
    turnkey !== undefined && (env.TURNKEY_TRUSTED_ORGANIZATIONS ?? "").trim() === ""
      ? subOrganizationsOf({ client: turnkey.client, parentOrganizationId: turnkey.parentOrganizationId })
      : trustedOrganizationsFrom(env.TURNKEY_TRUSTED_ORGANIZATIONS);
  const store = storeFrom(env.REDIS_URL);
  const auth: VerifyOptions = { trustedOrganizations, store };
  if (notarizerPublicKey) auth.notarizerPublicKey = notarizerPublicKey;
  const config: ExampleConfig & { port: number } = { auth, port: portFrom(env.PORT) };
  if (turnkey !== undefined) {
    const otpSignerPublicKey = env.TURNKEY_OTP_SIGNER_PUBLIC_KEY?.trim() || undefined;
    config.handleFlow = createFlowHandler({
      client: turnkey.client,
      parentOrganizationId: turnkey.parentOrganizationId,
      appName: env.APP_NAME?.trim() || "turnkey-session-auth example",
      store, // POST /auth/logout revokes sessions in the store the routes read
      ...(notarizerPublicKey === undefined ? {} : { notarizerPublicKey }),
      ...(otpSignerPublicKey === undefined ? {} : { otpSignerPublicKey }),
      onError: (error, flow) => console.error(`POST /auth/${flow} failed: ${describeError(error)}`),
    }) satisfies FlowHandler;
  }
  return config;
}

/** The store every instance shares: Redis at `url`, else this process's memory. */
function storeFrom(url: string | undefined): SessionStore {
  if (url === undefined || url.trim() === "") return createMemoryStore();
  const client = createClient({ url: url.trim() });
  // Without an error listener node-redis throws; the verifiers report outages through onStoreError.
  client.on("error", () => undefined);
  // Not awaited: until Redis answers, protected routes answer 503 (the revocation list is not loaded).
  client.connect().catch(() => undefined);
  return createRedisStore({ client });
}

/** The parent organization's API client, when its API key is configured. */
function turnkeyApiFrom(env: Env) {
  const present = API_KEY_VARIABLES.filter((name) => (env[name] ?? "").trim() !== "");
  if (present.length === 0) return undefined;
  if (present.length < API_KEY_VARIABLES.length) {
    const missing = API_KEY_VARIABLES.filter((name) => !present.includes(name));
    throw new Error(`Set all of ${API_KEY_VARIABLES.join(", ")} to serve the login flows, or none (missing: ${missing.join(", ")})`);
  }
  const parentOrganizationId = (env.TURNKEY_ORGANIZATION_ID as string).trim();
  const client = new Turnkey({
    apiBaseUrl: env.TURNKEY_API_BASE_URL?.trim() || "https://api.turnkey.com",
    apiPublicKey: (env.TURNKEY_API_PUBLIC_KEY as string).trim(),
    apiPrivateKey: (env.TURNKEY_API_PRIVATE_KEY as string).trim(),
    defaultOrganizationId: parentOrganizationId,
  }).apiClient();
  return { client, parentOrganizationId };
}

/** What a failed flow logs: its code and our message, never the error's `cause` (Turnkey's own text can echo request data). */
function describeError(error: unknown): string {
  if (isTurnkeyFlowError(error)) return `${error.code}: ${error.message}${error.turnkeyCode === undefined ? "" : ` (Turnkey code ${error.turnkeyCode})`}`;
  if (isTurnkeyAuthError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `an unexpected ${error.name}` : "an unexpected failure";
}

function trustedOrganizationsFrom(value: string | undefined): VerifyOptions["trustedOrganizations"] {
  if (value === undefined || value.trim() === "") {
    // Trusting every organization must be asked for: every Turnkey customer's sessions share the notarizer key.
    throw new Error(
      "Set which organizations' sessions to trust: TURNKEY_TRUSTED_ORGANIZATIONS=<your organization ids, comma-separated>; " +
        "or TURNKEY_API_PUBLIC_KEY, TURNKEY_API_PRIVATE_KEY and TURNKEY_ORGANIZATION_ID (your parent organization's API key) to trust its sub-organizations; " +
        "or TURNKEY_TRUSTED_ORGANIZATIONS=any to accept sessions of every Turnkey organization, other customers' included.",
    );
  }
  if (value.trim() === "any") return "any";
  const ids = value
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "");
  if (ids.length === 0) throw new Error('TURNKEY_TRUSTED_ORGANIZATIONS must list organization ids (comma-separated) or be "any"');
  return ids;
}

function portFrom(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 3000;
  const port = Number(value);
  // 0 asks the system for any free port.
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a whole number from 0 to 65535, not "${value}"`);
  return port;
}
