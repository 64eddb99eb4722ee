import { createDpopChecker, type DpopChecker } from "../dpop/checker.js";
import { resolveDpopOptions, type DpopMode, type DpopOptions } from "../dpop/options.js";
import { createSessionVerifier, type SessionVerifier } from "../jwt/verifier.js";
import type { VerifyOptions } from "../jwt/options.js";
import { policyList, type Policy } from "../policies/policy.js";
import { isMeter, type MeterLike } from "../telemetry/meter.js";
import type { ExtractTokenOptions } from "./extract-token.js";
import type { AuthHooks } from "./hooks.js";
import { resolvePathMatching, type PathMatching } from "./path-matching.js";

/**
 * Options shared by every adapter (`turnkey-session-auth/express`, `/fastify`, `/koa`, `/hono`):
 * every {@link VerifyOptions} field, or a ready `verifier`, plus what to do with the request.
 * `Native` is the framework's request type, handed to `getToken`.
 *
 * @example
 * ```ts
 * const options: AuthOptions<express.Request> = {
 *   trustedOrganizations: ["org-id"],
 *   policies: [requireReadWrite()],
 *   cookieName: "turnkey_session",
 * };
 * ```
 */
export type AuthOptions<Native = unknown> = (({ verifier: SessionVerifier } & Partial<VerifyOptions>) | (VerifyOptions & { verifier?: undefined })) & AuthHooks<Native> & {
  /** A verifier to share between middlewares (one key import, one cache). Overrides the verify options. */
  verifier?: SessionVerifier;
  /** Authorization rules run, in order, after authentication. */
  policies?: readonly Policy[];
  /** A request without a token passes with no session; a present but invalid token still fails. */
  optional?: boolean;
  /** Finds the token yourself (return `undefined` for none). Default: Bearer header, then `cookieName`. */
  getToken?: (request: Native) => string | undefined;
  /** Read the token from this cookie when there is no `Authorization: Bearer` header. */
  cookieName?: string;
  /** The RFC 6750 realm in `WWW-Authenticate`, on every refusal. Default `"turnkey"`. */
  realm?: string;
  /** Milliseconds an asynchronous policy may take before the request is refused (503). Default 5000. */
  policyTimeout?: number;
  /** Hand every failure to the framework's error path instead of answering it. Default `false`. */
  forwardErrors?: boolean;
  /**
   * How your router compares paths, where it differs from the framework's default that the adapter
   * assumes (e.g. a @koa/router made with `sensitive: true`): policies then see `request.path` as
   * the router matched it. Fastify's own settings are read from the instance.
   */
  pathMatching?: Partial<PathMatching>;
  /**
   * Proof of possession (RFC 9449): requests carry `Authorization: DPoP <token>` and a `DPoP`
   * proof signed by the session's own key. `"required"` refuses Bearer tokens and cookies;
   * `"optional"` still accepts them. Default: off (routes may still ask, see `dpopOptions`).
   */
  dpop?: DpopMode;
  /** How proofs are judged: the public `origin` they must name (needed with `dpop`), the `iat` window. */
  dpopOptions?: DpopOptions;
};

/** {@link AuthOptions} after validation. */
export interface AdapterConfig<Native> {
  readonly verifier: SessionVerifier;
  readonly policies: readonly Policy[];
  readonly optional: boolean;
  readonly forwardErrors: boolean;
  readonly getToken: ((request: Native) => string | undefined) | undefined;
  readonly extractOptions: ExtractTokenOptions;
  readonly realm: string;
  readonly policyTimeout: number;
  readonly pathMatching: PathMatching;
  readonly onAuthenticated: AuthHooks<Native>["onAuthenticated"];
  readonly onRefused: AuthHooks<Native>["onRefused"];
  readonly meter: MeterLike | undefined;
  /** The app-wide DPoP mode; `undefined` when off. */
  readonly dpop: DpopMode | undefined;
  /** Present when `dpop` or `dpopOptions` was given: routes may then ask for DPoP. */
  readonly dpopChecker: DpopChecker | undefined;
}

const DEFAULT_POLICY_TIMEOUT_MS = 5000;
// RFC 6265 §4.1.1: a cookie name is an RFC 7230 token.
const COOKIE_NAME = /^[!#-'*+.0-9A-Z^-z|~-]+$/;

function optionError(option: string, problem: string): TypeError {
  return new TypeError(`turnkey-session-auth: option "${option}" ${problem}`);
}

/**
 * Validates the shared adapter options, with `pathMatching` over the framework's defaults: a bad
 * value throws a `TypeError` naming it, before the app serves a request.
 *
 * @example
 * ```ts
 * const config = resolveAdapterOptions(options, reader.pathMatching);
 * ```
 */
export function resolveAdapterOptions<Native>(options: AuthOptions<Native>, pathMatching: PathMatching): AdapterConfig<Native> {
  if (typeof options !== "object" || options === null) throw new TypeError("turnkey-session-auth: options must be an object");
  const { verifier, getToken, cookieName, realm = "turnkey", policyTimeout = DEFAULT_POLICY_TIMEOUT_MS } = options;
  if (verifier !== undefined && (typeof verifier?.verify !== "function" || typeof verifier.cached !== "function")) {
    throw optionError("verifier", "must come from createSessionVerifier()");
  }
  for (const name of ["getToken", "onAuthenticated", "onRefused"] as const) {
    if (options[name] !== undefined && typeof options[name] !== "function") throw optionError(name, "must be a function");
  }
  if (options.meter !== undefined && !isMeter(options.meter)) throw optionError("meter", "must be an OpenTelemetry Meter (createCounter, createHistogram and createObservableGauge)");
  // Every adapter's own option, with a framework-specific signature: checked here once.
  const { onError } = options as { onError?: unknown };
  if (onError !== undefined && typeof onError !== "function") throw optionError("onError", "must be a function");
  if (cookieName !== undefined && (typeof cookieName !== "string" || !COOKIE_NAME.test(cookieName))) {
    throw optionError("cookieName", "must be a cookie name (RFC 6265 token)");
  }
  if (typeof realm !== "string" || realm.length === 0) throw optionError("realm", "must be a non-empty string");
  if (!(Number.isInteger(policyTimeout) && policyTimeout >= 1 && policyTimeout <= 600_000)) {
    throw optionError("policyTimeout", "must be a whole number of milliseconds from 1 to 600000");
  }
  const { dpop, dpopOptions } = options;
  if (dpop !== undefined && dpop !== "required" && dpop !== "optional") throw optionError("dpop", 'must be "required" or "optional"');
  const sessionVerifier = verifier ?? createSessionVerifier(options as VerifyOptions);
  const dpopChecker = dpop === undefined && dpopOptions === undefined
    ? undefined
    : createDpopChecker(resolveDpopOptions(dpopOptions), sessionVerifier.store, options.now ?? Date.now);
  return {
    verifier: sessionVerifier,
    policies: options.policies === undefined ? [] : policyList(options.policies, 'option "policies" must be an array of policy functions'),
    optional: options.optional === true,
    forwardErrors: options.forwardErrors === true,
    getToken,
    extractOptions: cookieName === undefined ? {} : { cookieName },
    realm,
    policyTimeout,
    pathMatching: resolvePathMatching(options.pathMatching, pathMatching),
    onAuthenticated: options.onAuthenticated,
    onRefused: options.onRefused,
    meter: options.meter,
    dpop,
    dpopChecker,
  };
}
