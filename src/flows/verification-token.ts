import { verifyOtpVerificationToken } from "@turnkey/crypto";
import { TurnkeyFlowError } from "./errors.js";
import { requireString, type OtpType } from "./validate.js";

/**
 * A verified OTP verification token's claims, renamed.
 *
 * @example
 * ```ts
 * const { contact, otpType, tokenId }: VerifiedOtpToken = await checkVerificationToken(token, { parentOrganizationId });
 * ```
 */
export interface VerifiedOtpToken {
  /** The token id (`id`): what the login client signature names. */
  readonly tokenId: string;
  readonly otpType: OtpType;
  /** The email or phone number the code was sent to. */
  readonly contact: string;
  /** The organization that ran `initOtp` (`organization_id`). */
  readonly organizationId: string;
  /** The client's key the token is bound to (`public_key`): it must sign the login. */
  readonly publicKey: string;
  /** Expiry, milliseconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * Options of {@link checkVerificationToken}.
 *
 * @example
 * ```ts
 * const options: CheckVerificationTokenOptions = { parentOrganizationId, otpSignerPublicKey: emulator.otpSignerPublicKey };
 * ```
 */
export interface CheckVerificationTokenOptions {
  /** The organization the OTP was initiated in (your parent organization). */
  parentOrganizationId: string;
  /**
   * The key that signs verification tokens (uncompressed hex). Default: Turnkey's production
   * `PRODUCTION_TLS_FETCHER_SIGN_PUBLIC_KEY`; the emulator's is `emulator.otpSignerPublicKey`.
   */
  otpSignerPublicKey?: string;
}

/**
 * Checks an OTP verification token with `@turnkey/crypto`'s `verifyOtpVerificationToken` (ES256
 * signature by the signer key, required claims, expiry), and that it was issued for
 * `parentOrganizationId` and an email or SMS code. Throws a {@link TurnkeyFlowError}:
 * `verification_token_expired` or `invalid_verification_token` (both HTTP 400).
 *
 * @example
 * ```ts
 * const { contact, otpType, publicKey } = await checkVerificationToken(verificationToken, { parentOrganizationId });
 * ```
 */
export async function checkVerificationToken(token: unknown, options: CheckVerificationTokenOptions): Promise<VerifiedOtpToken> {
  const jwt = requireString(token, "verificationToken");
  let claims: Awaited<ReturnType<typeof verifyOtpVerificationToken>>;
  try {
    claims = await verifyOtpVerificationToken(jwt, options.otpSignerPublicKey);
  } catch (error) {
    if (error instanceof Error && error.message.includes("has expired")) {
      throw new TurnkeyFlowError("verification_token_expired", "The verification token has expired: request and verify a new code", { cause: error });
    }
    throw new TurnkeyFlowError("invalid_verification_token", "The verification token is not valid", { cause: error });
  }
  if (claims.organization_id !== options.parentOrganizationId) {
    throw new TurnkeyFlowError("invalid_verification_token", "The verification token was issued for another organization");
  }
  if (claims.verification_type !== "OTP_TYPE_EMAIL" && claims.verification_type !== "OTP_TYPE_SMS") {
    throw new TurnkeyFlowError("invalid_verification_token", "The verification token is not for an email or SMS code");
  }
  return Object.freeze({
    tokenId: claims.id,
    otpType: claims.verification_type,
    contact: claims.contact,
    organizationId: claims.organization_id,
    publicKey: claims.public_key,
    expiresAt: Number(claims.exp),
  });
}
