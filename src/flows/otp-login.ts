import { createSessionVerifier, type SessionVerifier } from "../jwt/verifier.js";
import type { SessionStore } from "../store/session-store.js";
import type { ClientSignature, TurnkeyFlowsClient } from "./client.js";
import { checkLoginSignature } from "./client-signatures.js";
import { TurnkeyFlowError } from "./errors.js";
import { checkIssuedSession, type IssuedSession } from "./issued-session.js";
import { getOrCreateSubOrganization } from "./sub-organization-by-contact.js";
import { badResponse, callTurnkey, requireClient, resolveTimeout } from "./turnkey-call.js";
import { checkVerificationToken } from "./verification-token.js";
import { optionalSeconds, optionalString, requireClientSignature, requireObject, requirePublicKey, requireString } from "./validate.js";

/**
 * Input of {@link otpLogin}.
 *
 * @example
 * ```ts
 * const input: OtpLoginInput = { client, parentOrganizationId, verificationToken, publicKey, clientSignature, expirationSeconds: 3600 };
 * ```
 */
export interface OtpLoginInput {
  client: Pick<TurnkeyFlowsClient, "otpLogin" | "getVerifiedSubOrgIds" | "createSubOrganization">;
  parentOrganizationId: string;
  /** From {@link verifyOtp}. */
  verificationToken: string;
  /** The client's session key (compressed P-256 hex): the session JWT's `public_key`. */
  publicKey: string;
  /** The client's signature of the login, by the key the verification token is bound to. */
  clientSignature: ClientSignature;
  /**
   * The client's signature of the sign-up, by the same key, needed only when no sub-organization
   * has the token's contact verified yet (see {@link getOrCreateSubOrganization}). Send it on every
   * login and the first one signs the user up without a second round trip.
   */
  signupClientSignature?: ClientSignature;
  /**
   * Log in to this sub-organization instead of finding (or creating) it by the token's verified
   * contact. You vouch that it is this user's: never take it from the request.
   */
  subOrganizationId?: string;
  /** Root user name if a sub-organization is created. Default: the contact. */
  userName?: string;
  /** Session lifetime, up to one year. Turnkey's default: 900. */
  expirationSeconds?: number;
  /** Invalidate the user's other sessions. */
  invalidateExisting?: boolean;
  /** Verification-token signer key; default Turnkey's production key (`emulator.otpSignerPublicKey`). */
  otpSignerPublicKey?: string;
  /** Notarizer key the returned session must verify with; default Turnkey's production key. Ignored with `verifier`. */
  notarizerPublicKey?: string;
  /** A verifier to check the session with (its trust check runs too). Default: one for `notarizerPublicKey`. */
  verifier?: SessionVerifier;
  /** The store your instances share: a sign-up locks the contact cluster-wide (see {@link getOrCreateSubOrganization}). */
  store?: SessionStore;
  timeoutMs?: number;
}

/**
 * Result of {@link otpLogin}.
 *
 * @example
 * ```ts
 * const { session, organizationId, created }: OtpLoginResult = await otpLogin(input);
 * ```
 */
export type OtpLoginResult = IssuedSession;

const MAX_SESSION_SECONDS = 31_536_000;
const verifiers = new Map<string, SessionVerifier>();

function defaultVerifier(notarizerPublicKey: string | undefined): SessionVerifier {
  const key = notarizerPublicKey ?? "";
  let verifier = verifiers.get(key);
  if (verifier === undefined) {
    // The organization is checked against the one just logged into, below.
    verifier = createSessionVerifier({ trustedOrganizations: "any", ...(notarizerPublicKey === undefined ? {} : { notarizerPublicKey }), cache: false });
    if (verifiers.size >= 16) verifiers.clear();
    verifiers.set(key, verifier);
  }
  return verifier;
}

/**
 * OTP step 3: logs the user in and returns a verified session. Checks the verification token
 * (`@turnkey/crypto`), finds the sub-organization whose user has the token's contact verified, or
 * creates one with it verified (with `signupClientSignature`; see {@link getOrCreateSubOrganization}),
 * unless `subOrganizationId` is given, calls OTP_LOGIN_V2 with the client's public key and
 * signature, then verifies the session JWT with this library's verifier (signature by the
 * notarizer, claims, expiry) and that it is for that sub-organization and key. Every failure is a
 * {@link TurnkeyFlowError}: 400 for bad input or an expired or invalid token, 502 when Turnkey's
 * session does not verify, 503 when Turnkey is unavailable.
 *
 * @example
 * ```ts
 * const { session, organizationId, userId, created } = await otpLogin({
 *   client, parentOrganizationId, verificationToken, publicKey, clientSignature,
 * });
 * ```
 */
export async function otpLogin(input: OtpLoginInput): Promise<OtpLoginResult> {
  requireObject(input, "input");
  const client = requireClient(input.client, "otpLogin", "getVerifiedSubOrgIds", "createSubOrganization");
  const parentOrganizationId = requireString(input.parentOrganizationId, "parentOrganizationId");
  const publicKey = requirePublicKey(input.publicKey, "publicKey");
  const clientSignature = requireClientSignature(input.clientSignature);
  const expirationSeconds = optionalSeconds(input.expirationSeconds, "expirationSeconds", MAX_SESSION_SECONDS);
  const requestedSubOrganization = optionalString(input.subOrganizationId, "subOrganizationId");
  const timeoutMs = resolveTimeout(input.timeoutMs);
  const verifier = input.verifier ?? defaultVerifier(input.notarizerPublicKey);
  const token = await checkVerificationToken(input.verificationToken, {
    parentOrganizationId,
    ...(input.otpSignerPublicKey === undefined ? {} : { otpSignerPublicKey: input.otpSignerPublicKey }),
  });
  checkLoginSignature(clientSignature, token, publicKey);

  const { subOrganizationId, created } =
    requestedSubOrganization === undefined
      ? await getOrCreateSubOrganization({
          client,
          parentOrganizationId,
          verificationToken: input.verificationToken,
          ...(input.signupClientSignature === undefined ? {} : { signupClientSignature: input.signupClientSignature }),
          ...(input.userName === undefined ? {} : { userName: input.userName }),
          ...(input.otpSignerPublicKey === undefined ? {} : { otpSignerPublicKey: input.otpSignerPublicKey }),
          ...(input.store === undefined ? {} : { store: input.store }),
          timeoutMs,
        })
      : { subOrganizationId: requestedSubOrganization, created: false };

  const answer = await callTurnkey(
    "OTP login",
    timeoutMs,
    () =>
      client.otpLogin({
        organizationId: subOrganizationId,
        verificationToken: input.verificationToken,
        publicKey,
        clientSignature,
        ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
        ...(input.invalidateExisting === true ? { invalidateExisting: true } : {}),
      }),
    { rejected: "Turnkey refused the login: the verification token may have been used already" },
  );
  return checkIssuedSession(verifier, "OTP login", answer?.session, { subOrganizationId, publicKey, created });
}
