import { notFound } from "./api-error.js";
import type { EmulatorServices } from "./context.js";
import { optionalString } from "./params.js";

/** Turnkey's default session length when `expirationSeconds` is not given: 15 minutes. */
export const DEFAULT_SESSION_SECONDS = 900;
/** The longest session the emulator issues: one year. */
export const MAX_SESSION_SECONDS = 31_536_000;

/**
 * Login activities (otp_login, stamp_login) accept a `sessionProfileId`; the emulator has no session
 * profiles, so any one named does not exist and is refused as Turnkey refuses an unknown id.
 */
export function refuseUnknownSessionProfile(parameters: Record<string, unknown>): void {
  if (optionalString(parameters, "sessionProfileId") !== undefined) throw notFound("session profile not found");
}

/** What a login activity (otp_login, stamp_login) asks for. */
export interface SessionRequest {
  readonly organizationId: string;
  readonly userId: string;
  /** The client's session key (compressed P-256 hex): the JWT's `public_key`, and a login credential. */
  readonly publicKey: string;
  readonly expirationSeconds: number;
  readonly invalidateExisting: boolean;
  /** For the login credential's name, e.g. "otp_login". */
  readonly source: string;
}

/**
 * Issues a session as Turnkey does on login: registers the session key as a login credential of
 * the user (so the client can stamp requests with it until the session expires; previous ones are
 * removed with `invalidateExisting`), then signs the session JWT with the emulator's notarizer, in
 * Turnkey's scheme, with `exp` = now + `expirationSeconds`.
 */
export async function issueSession(services: EmulatorServices, request: SessionRequest): Promise<string> {
  const { store, notarizer } = services;
  const now = services.now();
  if (request.invalidateExisting) {
    store.removeApiKeys(request.organizationId, request.userId, (apiKey) => apiKey.credentialType !== "CREDENTIAL_TYPE_LOGIN");
  }
  store.addApiKey(request.organizationId, request.userId, {
    apiKeyName: `Session key (${request.source})`,
    publicKey: request.publicKey,
    curveType: "API_KEY_CURVE_P256",
    credentialType: "CREDENTIAL_TYPE_LOGIN",
    expiresAtMs: now + request.expirationSeconds * 1000,
    expirationSeconds: String(request.expirationSeconds),
  });
  return notarizer.sign(
    {
      public_key: request.publicKey,
      session_type: "SESSION_TYPE_READ_WRITE",
      user_id: request.userId,
      organization_id: request.organizationId,
    },
    { now, expiresInSeconds: request.expirationSeconds },
  );
}
