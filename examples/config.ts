// Configuration shared by the four examples (examples/<framework>/server.ts), read from the
// environment so the same code runs against Turnkey's production notarizer or a test one.
import type { VerifyOptions } from "../src/index.js";

/** What an example app needs. `createApp(config)` uses `auth` and `handleFlow`; `server.ts` uses `port`. */
export interface ExampleConfig {
  /** Options of the session middleware: `trustedOrganizations`, `notarizerPublicKey?`, `now?`, … */
  auth: VerifyOptions;
  /** Where `server.ts` listens, on 127.0.0.1. Default 3000. */
  port?: number;
  /**
   * Answers `POST /auth/:flow` with `{ status, body }`, e.g. the login-flow helpers' handler.
   * The route exists only when this is given.
   */
  handleFlow?: (flow: string, body: unknown) => Promise<{ status: number; body: unknown }>;
}

/**
 * Reads the examples' configuration:
 * - `TURNKEY_NOTARIZER_PUBLIC_KEY`: the notarizer key sessions must be signed with. Default:
 *   Turnkey's production key.
 * - `TURNKEY_TRUSTED_ORGANIZATIONS`: comma-separated organization ids, or `any`. Default `any`,
 *   with a warning: every Turnkey customer's sessions share the notarizer key, so `any` accepts
 *   sessions of organizations that are not yours.
 * - `PORT`: default 3000.
 *
 * @example
 * ```ts
 * const config = loadExampleConfig({ TURNKEY_TRUSTED_ORGANIZATIONS: "org-a,org-b", PORT: "8080" });
 * ```
 */
export function loadExampleConfig(env: Readonly<Record<string, string | undefined>> = process.env): ExampleConfig & { port: number } {
  const auth: VerifyOptions = { trustedOrganizations: trustedOrganizationsFrom(env.TURNKEY_TRUSTED_ORGANIZATIONS) };
  const notarizerPublicKey = env.TURNKEY_NOTARIZER_PUBLIC_KEY?.trim();
  if (notarizerPublicKey) auth.notarizerPublicKey = notarizerPublicKey;
  return { auth, port: portFrom(env.PORT) };
}

function trustedOrganizationsFrom(value: string | undefined): VerifyOptions["trustedOrganizations"] {
  if (value === undefined || value.trim() === "") {
    console.warn(
      "TURNKEY_TRUSTED_ORGANIZATIONS is not set: accepting sessions of every Turnkey organization. Set it to your organization ids (comma-separated).",
    );
    return "any";
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
