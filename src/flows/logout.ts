import { TurnkeyAuthError } from "../errors.js";
import { decodeSessionJwt } from "../jwt/decode.js";
import type { SessionVerifier } from "../jwt/verifier.js";
import { endSessionAtTurnkey, type SessionKeysClient, type SessionKeysDeleter } from "./end-all-sessions.js";

const BEARER = "bearer ";

/** What `POST /auth/logout` needs: the verifier whose store records revocations, and optionally a deleter at Turnkey. */
export interface LogoutConfig {
  readonly verifier: SessionVerifier;
  readonly keyLister: SessionKeysClient | undefined;
  readonly sessionKeyDeleter: SessionKeysDeleter | undefined;
  readonly timeoutMs: number;
  /** Told of a failed deletion at Turnkey: the session is ended here all the same. */
  readonly report: (error: unknown) => void;
}

/**
 * Ends the session named by an `Authorization: Bearer` header: revoked in the verifier's store (so
 * every instance sharing it refuses it), and its key deleted at Turnkey when a deleter is given.
 * Turnkey's SDK `logout()` only forgets the key in the browser, so this is what ends it for the backend.
 */
export async function logout(config: LogoutConfig, authorization: unknown): Promise<{ status: 200; body: { revoked: true; deletedAtTurnkey: boolean } }> {
  const token = bearerToken(authorization);
  if (token === undefined) throw new TurnkeyAuthError("missing_token", "No session token was presented");
  await config.verifier.revoke(token);
  const { keyLister, sessionKeyDeleter } = config;
  if (sessionKeyDeleter === undefined || keyLister === undefined) return { status: 200, body: { revoked: true, deletedAtTurnkey: false } };
  // revoke() checked the signature, so the claims can be read as they are.
  const session = decodeSessionJwt(token);
  try {
    const deletedAtTurnkey = await endSessionAtTurnkey({ client: keyLister, deleter: sessionKeyDeleter, session, timeoutMs: config.timeoutMs });
    return { status: 200, body: { revoked: true, deletedAtTurnkey } };
  } catch (error) {
    config.report(error);
    return { status: 200, body: { revoked: true, deletedAtTurnkey: false } };
  }
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1), without a regex on request data. */
function bearerToken(authorization: unknown): string | undefined {
  if (typeof authorization !== "string" || authorization.length <= BEARER.length) return undefined;
  if (authorization.slice(0, BEARER.length).toLowerCase() !== BEARER) return undefined;
  const token = authorization.slice(BEARER.length).trim();
  return token.length === 0 ? undefined : token;
}
