import type { TurnkeyFlowsClient } from "./client.js";
import { invalidRequest, TurnkeyFlowError } from "./errors.js";
import { badResponse, callTurnkey, requireClient, resolveTimeout } from "./turnkey-call.js";
import { checkVerificationToken, type VerifiedOtpToken } from "./verification-token.js";
import { optionalSeconds, optionalString, requireContact, requireObject, requireOtpType, requireString, type OtpType } from "./validate.js";

/**
 * Input of {@link initOtp}.
 *
 * @example
 * ```ts
 * const input: InitOtpInput = { client, parentOrganizationId, otpType: "OTP_TYPE_SMS", contact: "+14155550100", appName: "Acme", otpLength: 6 };
 * ```
 */
export interface InitOtpInput {
  /** An `@turnkey/sdk-server` API client with the parent organization's API key. */
  client: Pick<TurnkeyFlowsClient, "initOtp">;
  parentOrganizationId: string;
  otpType: OtpType;
  /** Email address (OTP_TYPE_EMAIL) or E.164 phone number (OTP_TYPE_SMS). */
  contact: string;
  /** Your app's name, shown in the email or SMS. */
  appName: string;
  /** Code length, 6 to 9. Turnkey's default: 9. */
  otpLength?: number;
  /** Letters and digits (default) or digits only. */
  alphanumeric?: boolean;
  /** How long the code is valid, up to 600 s. Turnkey's default: 300. */
  expirationSeconds?: number;
  /** Per-user rate-limit key, e.g. a hash of the client's IP (recommended for SMS). */
  userIdentifier?: string;
  /** Milliseconds the Turnkey call may take. Default 5000. */
  timeoutMs?: number;
}

/**
 * Result of {@link initOtp}: hand both to the frontend.
 *
 * @example
 * ```ts
 * const { otpId, otpEncryptionTargetBundle }: InitOtpResult = await initOtp(input);
 * ```
 */
export interface InitOtpResult {
  otpId: string;
  /** The enclave's signed target key: the frontend encrypts the code to it (`encryptOtpCodeToBundle`). */
  otpEncryptionTargetBundle: string;
}

/**
 * OTP step 1: asks Turnkey to send a code to an email or phone (INIT_OTP_V3). Validates the
 * contact first (HTTP 400 `invalid_request` when missing or malformed).
 *
 * @example
 * ```ts
 * const { otpId, otpEncryptionTargetBundle } = await initOtp({
 *   client, parentOrganizationId, otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com", appName: "Acme",
 * });
 * ```
 */
export async function initOtp(input: InitOtpInput): Promise<InitOtpResult> {
  requireObject(input, "input");
  const client = requireClient(input.client, "initOtp");
  const parentOrganizationId = requireString(input.parentOrganizationId, "parentOrganizationId");
  const otpType = requireOtpType(input.otpType);
  const contact = requireContact(input.contact, otpType);
  const appName = requireString(input.appName, "appName");
  const expirationSeconds = optionalSeconds(input.expirationSeconds, "expirationSeconds", 600);
  if (input.otpLength !== undefined && !(Number.isInteger(input.otpLength) && input.otpLength >= 6 && input.otpLength <= 9)) {
    throw invalidRequest("otpLength must be a whole number from 6 to 9");
  }
  if (input.alphanumeric !== undefined && typeof input.alphanumeric !== "boolean") throw invalidRequest("alphanumeric must be a boolean");
  const userIdentifier = optionalString(input.userIdentifier, "userIdentifier");
  const timeoutMs = resolveTimeout(input.timeoutMs);
  const answer = await callTurnkey(
    "init OTP",
    timeoutMs,
    () =>
      client.initOtp({
        organizationId: parentOrganizationId,
        otpType,
        contact,
        appName,
        ...(input.otpLength === undefined ? {} : { otpLength: input.otpLength }),
        ...(input.alphanumeric === undefined ? {} : { alphanumeric: input.alphanumeric }),
        ...(expirationSeconds === undefined ? {} : { expirationSeconds }),
        ...(userIdentifier === undefined ? {} : { userIdentifier }),
      }),
    { rejected: "Turnkey refused to send a code to this contact" },
  );
  if (typeof answer?.otpId !== "string" || answer.otpId.length === 0) throw badResponse("init OTP", "no otpId");
  if (typeof answer.otpEncryptionTargetBundle !== "string") throw badResponse("init OTP", "no otpEncryptionTargetBundle");
  return { otpId: answer.otpId, otpEncryptionTargetBundle: answer.otpEncryptionTargetBundle };
}

/**
 * Input of {@link verifyOtp}.
 *
 * @example
 * ```ts
 * const input: VerifyOtpInput = { client, parentOrganizationId, otpId, encryptedOtpBundle };
 * ```
 */
export interface VerifyOtpInput {
  client: Pick<TurnkeyFlowsClient, "verifyOtp">;
  parentOrganizationId: string;
  otpId: string;
  /** From the frontend: `encryptOtpCodeToBundle(code, otpEncryptionTargetBundle, clientPublicKey)`. */
  encryptedOtpBundle: string;
  /** Lifetime of the verification token, up to 86 400 s. Turnkey's default: 3600. */
  expirationSeconds?: number;
  /** The verification-token signer key; default Turnkey's production key (`emulator.otpSignerPublicKey` for the emulator). */
  otpSignerPublicKey?: string;
  timeoutMs?: number;
}

/**
 * Result of {@link verifyOtp}: the token (for the frontend to sign the login) and its checked claims.
 *
 * @example
 * ```ts
 * const { verificationToken, contact, expiresAt }: VerifyOtpResult = await verifyOtp(input);
 * ```
 */
export interface VerifyOtpResult extends VerifiedOtpToken {
  verificationToken: string;
}

/**
 * OTP step 2: Turnkey decrypts the bundle, checks the code and returns a verification token
 * (VERIFY_OTP_V2), which this helper checks with `@turnkey/crypto`'s `verifyOtpVerificationToken`
 * before returning it. A wrong or expired code is a 400 `rejected`.
 *
 * @example
 * ```ts
 * const { verificationToken, contact } = await verifyOtp({ client, parentOrganizationId, otpId, encryptedOtpBundle });
 * ```
 */
export async function verifyOtp(input: VerifyOtpInput): Promise<VerifyOtpResult> {
  requireObject(input, "input");
  const client = requireClient(input.client, "verifyOtp");
  const parentOrganizationId = requireString(input.parentOrganizationId, "parentOrganizationId");
  const otpId = requireString(input.otpId, "otpId");
  const encryptedOtpBundle = requireString(input.encryptedOtpBundle, "encryptedOtpBundle");
  const expirationSeconds = optionalSeconds(input.expirationSeconds, "expirationSeconds", 86_400);
  const timeoutMs = resolveTimeout(input.timeoutMs);
  const answer = await callTurnkey(
    "verify OTP",
    timeoutMs,
    () => client.verifyOtp({ organizationId: parentOrganizationId, otpId, encryptedOtpBundle, ...(expirationSeconds === undefined ? {} : { expirationSeconds }) }),
    { rejected: "The code is invalid, expired or already used" },
  );
  if (typeof answer?.verificationToken !== "string") throw badResponse("verify OTP", "no verificationToken");
  let claims: VerifiedOtpToken;
  try {
    claims = await checkVerificationToken(answer.verificationToken, {
      parentOrganizationId,
      ...(input.otpSignerPublicKey === undefined ? {} : { otpSignerPublicKey: input.otpSignerPublicKey }),
    });
  } catch (error) {
    // Straight from Turnkey, so a token that does not check out means a misconfigured signer key.
    throw new TurnkeyFlowError("bad_upstream_response", "Turnkey's verification token did not verify: check otpSignerPublicKey", { cause: error });
  }
  return { verificationToken: answer.verificationToken, ...claims };
}
