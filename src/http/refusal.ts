import { TurnkeyAuthError, isTurnkeyAuthError, type TurnkeyAuthErrorCode, type TurnkeyAuthErrorStatus, type TurnkeyAuthScheme } from "../errors.js";

/**
 * A refused request, ready for an adapter to answer or to hand to its framework's error path.
 * @example `if (failure.forward) next(failure.error); else res.status(failure.status).set(failure.headers).json(failure.body);`
 */
export interface AuthFailure {
  /** The refusal, in the configured realm: its `wwwAuthenticate` and `headers` carry that realm. */
  readonly error: TurnkeyAuthError;
  readonly status: TurnkeyAuthErrorStatus;
  /** `WWW-Authenticate` (RFC 6750 §3) unless the status is 503; `DPoP-Nonce` with `use_dpop_nonce` (RFC 9449 §8). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: { readonly error: TurnkeyAuthErrorCode; readonly message: string };
  /** Hand it to the framework's error path: `forwardErrors` was set, or the error is `unexpected`. */
  readonly forward: boolean;
}

/**
 * Describes a refusal for an HTTP answer: status, RFC 6750 `WWW-Authenticate` in `realm`, and the
 * JSON body `{ error, message }`. Anything that is not a {@link TurnkeyAuthError} is a bug of the
 * caller's: it becomes `unavailable` (fail closed), `unexpected`, and goes to the error path.
 * `scheme` names the challenge's scheme(s) where DPoP is in use (default: the error's own).
 *
 * @example
 * ```ts
 * const failure = describeFailure(error, "my-api", false);
 * res.status(failure.status).set(failure.headers).json(failure.body);
 * ```
 */
export function describeFailure(thrown: unknown, realm: string, forwardErrors: boolean, scheme?: TurnkeyAuthScheme): AuthFailure {
  const error = inContext(
    isTurnkeyAuthError(thrown) ? thrown : new TurnkeyAuthError("unavailable", "The request could not be authorized", { cause: thrown, unexpected: true }),
    realm,
    scheme,
  );
  return {
    error,
    status: error.status,
    headers: error.headers,
    body: { error: error.code, message: error.message },
    forward: forwardErrors || error.unexpected,
  };
}

// The same refusal in `realm` and `scheme`: a copy when it was made in another one (most are made without one).
function inContext(error: TurnkeyAuthError, realm: string, scheme: TurnkeyAuthScheme | undefined): TurnkeyAuthError {
  const wantedScheme = scheme ?? error.scheme;
  if (error.realm === realm && error.scheme === wantedScheme) return error;
  const { code, message, cause, policy, unexpected, dpopNonce } = error;
  return new TurnkeyAuthError(code, message, {
    cause, realm, scheme: wantedScheme, unexpected: unexpected === true, ...(policy === undefined ? {} : { policy }),
    ...(dpopNonce === undefined ? {} : { dpopNonce }),
  });
}
