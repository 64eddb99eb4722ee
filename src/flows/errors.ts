/**
 * Why a login flow failed, and the HTTP status it maps to:
 *
 * - `invalid_request` (400): a missing or malformed input (named in the message);
 * - `invalid_verification_token` (400): not a verification token from the configured signer, or
 *   not for this organization;
 * - `verification_token_expired` (400): a genuine verification token past its `exp`;
 * - `rejected` (400): Turnkey refused the request's content (a wrong or expired code, an unknown
 *   OTP id, a contact without a user, …);
 * - `forbidden` (403): Turnkey denied the operation on that organization;
 * - `rate_limited` (429): Turnkey's rate limit;
 * - `upstream_auth_failed` (502): Turnkey refused this backend's API key (a configuration problem);
 * - `bad_upstream_response` (502): Turnkey answered something unusable, e.g. a session that does
 *   not verify with the configured notarizer key;
 * - `unavailable` (503): Turnkey unreachable, too slow, failing (5xx) or answering malformed JSON.
 *
 * @example
 * ```ts
 * if (isTurnkeyFlowError(error) && error.code === "verification_token_expired") askForANewCode();
 * ```
 */
export type TurnkeyFlowErrorCode =
  | "invalid_request"
  | "invalid_verification_token"
  | "verification_token_expired"
  | "rejected"
  | "forbidden"
  | "rate_limited"
  | "upstream_auth_failed"
  | "bad_upstream_response"
  | "unavailable";

const STATUS: Readonly<Record<TurnkeyFlowErrorCode, 400 | 403 | 429 | 502 | 503>> = {
  invalid_request: 400,
  invalid_verification_token: 400,
  verification_token_expired: 400,
  rejected: 400,
  forbidden: 403,
  rate_limited: 429,
  upstream_auth_failed: 502,
  bad_upstream_response: 502,
  unavailable: 503,
};

/**
 * Options of {@link TurnkeyFlowError}.
 *
 * @example
 * ```ts
 * throw new TurnkeyFlowError("unavailable", "Turnkey is unavailable", { cause: error, turnkeyCode: 14 });
 * ```
 */
export interface TurnkeyFlowErrorOptions {
  /** The underlying error (e.g. the SDK's `TurnkeyRequestError`): for logs, never for responses. */
  cause?: unknown;
  /** Turnkey's gRPC status code, when Turnkey answered with an error. */
  turnkeyCode?: number;
}

/**
 * The error every flow helper throws. `message` is written by this library: safe to return to
 * the client, it never contains tokens, codes, bundles or Turnkey's own error text (kept in `cause`).
 *
 * @example
 * ```ts
 * try {
 *   await verifyOtp({ client, parentOrganizationId, otpId, encryptedOtpBundle });
 * } catch (error) {
 *   if (isTurnkeyFlowError(error)) res.status(error.status).json({ error: error.code, message: error.message });
 *   else throw error;
 * }
 * ```
 */
export class TurnkeyFlowError extends Error {
  override readonly name = "TurnkeyFlowError";
  readonly code: TurnkeyFlowErrorCode;
  /** The HTTP status to answer. */
  readonly status: 400 | 403 | 429 | 502 | 503;
  /** Turnkey's gRPC status code (3 invalid argument, 5 not found, 7 permission denied, 16 unauthenticated, …). */
  readonly turnkeyCode: number | undefined;

  constructor(code: TurnkeyFlowErrorCode, message: string, options: TurnkeyFlowErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = STATUS[code];
    this.turnkeyCode = options.turnkeyCode;
  }
}

/**
 * Whether `value` is a {@link TurnkeyFlowError} (also across ESM/CJS copies of this package).
 *
 * @example
 * ```ts
 * if (isTurnkeyFlowError(error) && error.status === 400) showFormError(error.message);
 * ```
 */
export function isTurnkeyFlowError(value: unknown): value is TurnkeyFlowError {
  if (value instanceof TurnkeyFlowError) return true;
  const candidate = value as { name?: unknown; code?: unknown } | null;
  return typeof candidate === "object" && candidate !== null && candidate.name === "TurnkeyFlowError" && typeof candidate.code === "string" && Object.hasOwn(STATUS, candidate.code);
}

/** A 400 `invalid_request` naming the bad input. */
export function invalidRequest(message: string): TurnkeyFlowError {
  return new TurnkeyFlowError("invalid_request", message);
}
