import { encryptOtpCodeToBundle } from "@turnkey/crypto";
import { generateP256KeyPairHex, privateKeyFromHex, signRaw, type P256KeyPairHex } from "./keys.js";

/**
 * The `clientSignature` of OTP_LOGIN_V2 and of CREATE_SUB_ORGANIZATION with a verification token
 * (Turnkey's `v1ClientSignature`).
 *
 * @example
 * ```ts
 * const clientSignature: OtpLoginClientSignature = createTestClientKey().signLogin(verificationToken);
 * ```
 */
export interface OtpLoginClientSignature {
  readonly publicKey: string;
  readonly scheme: "CLIENT_SIGNATURE_SCHEME_API_P256";
  readonly message: string;
  readonly signature: string;
}

/**
 * The root user a sign-up signature authorizes (Turnkey's `v1SignupUsageV2`): exactly the
 * parameters of the root user holding the verification token's contact.
 *
 * @example
 * ```ts
 * const usage: SignupUsage = { email: "ada@example.com", apiKeys: [], authenticators: [], oauthProviders: [] };
 * ```
 */
export interface SignupUsage {
  /** Default: the verification token's contact, when `phoneNumber` is not given either. */
  readonly email?: string;
  readonly phoneNumber?: string;
  /** Default `[]`. */
  readonly apiKeys?: readonly unknown[];
  /** Default `[]`. */
  readonly authenticators?: readonly unknown[];
  /** Default `[]`. */
  readonly oauthProviders?: readonly unknown[];
}

/**
 * What a browser does in Turnkey's OTP flow, for tests and demos: a P-256 key pair that encrypts
 * the OTP code to the enclave's target bundle and signs the login authorization.
 *
 * @example
 * ```ts
 * const key = createTestClientKey();
 * const encryptedOtpBundle = await key.encryptOtpCode(emulator.lastOtp(email)!, otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
 * const clientSignature = key.signLogin(verificationToken);
 * ```
 */
export interface TestClientKey extends P256KeyPairHex {
  /**
   * `encryptOtpCodeToBundle(otpCode, otpEncryptionTargetBundle, publicKey, signerPublicKey)` from
   * `@turnkey/crypto`: checks the bundle's signature, then HPKE-encrypts `{ otp_code, public_key }`.
   * Pass `emulator.otpSignerPublicKey` for the emulator (omit it for Turnkey's production key).
   */
  encryptOtpCode(otpCode: string, otpEncryptionTargetBundle: string, signerPublicKey?: string): Promise<string>;
  /**
   * The OTP login client signature: this key (the one in the verification token) signs
   * `{"login":{"publicKey":sessionPublicKey},"tokenId":…,"type":"USAGE_TYPE_LOGIN"}`, as
   * `@turnkey/core`'s `getClientSignatureMessageForLogin` builds it. `sessionPublicKey`
   * defaults to this key.
   */
  signLogin(verificationToken: string, sessionPublicKey?: string): OtpLoginClientSignature;
  /**
   * The sign-up client signature: this key signs
   * `{"signupV2":{"apiKeys":…,"authenticators":…,"oauthProviders":…,"email"|"phoneNumber":…},"tokenId":…,"type":"USAGE_TYPE_SIGNUP"}`,
   * as `@turnkey/core`'s `getClientSignatureMessageForSignup` builds it. With no `usage`: a root user
   * with only the token's contact, the one an OTP login creates.
   */
  signSignup(verificationToken: string, usage?: SignupUsage): OtpLoginClientSignature;
}

function tokenClaims(verificationToken: string, method: string): { id: string; contact?: unknown; verification_type?: unknown } {
  const payload = verificationToken.split(".")[1] ?? "";
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { id?: unknown; contact?: unknown; verification_type?: unknown };
  if (typeof claims.id !== "string") throw new TypeError(`${method}: the verification token has no id claim`);
  return { ...claims, id: claims.id };
}

/**
 * Creates a {@link TestClientKey} with a fresh key pair.
 *
 * @example
 * ```ts
 * const key = createTestClientKey();
 * await flows.otpLogin({ ...config, verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken) });
 * ```
 */
export function createTestClientKey(): TestClientKey {
  const pair = generateP256KeyPairHex();
  const privateKey = privateKeyFromHex(pair);
  const sign = (message: string): OtpLoginClientSignature => ({
    publicKey: pair.publicKey,
    scheme: "CLIENT_SIGNATURE_SCHEME_API_P256",
    message,
    signature: signRaw(privateKey, message).toString("hex"),
  });
  return {
    ...pair,
    encryptOtpCode(otpCode, otpEncryptionTargetBundle, signerPublicKey) {
      return encryptOtpCodeToBundle(otpCode, otpEncryptionTargetBundle, pair.publicKey, signerPublicKey);
    },
    signLogin(verificationToken, sessionPublicKey = pair.publicKey) {
      const { id } = tokenClaims(verificationToken, "signLogin");
      return sign(JSON.stringify({ login: { publicKey: sessionPublicKey }, tokenId: id, type: "USAGE_TYPE_LOGIN" }));
    },
    signSignup(verificationToken, usage = {}) {
      const claims = tokenClaims(verificationToken, "signSignup");
      const contact = typeof claims.contact === "string" ? claims.contact : undefined;
      const named = usage.email !== undefined || usage.phoneNumber !== undefined;
      const email = named ? usage.email : claims.verification_type === "OTP_TYPE_EMAIL" ? contact : undefined;
      const phoneNumber = named ? usage.phoneNumber : claims.verification_type === "OTP_TYPE_SMS" ? contact : undefined;
      const signupV2 = {
        apiKeys: usage.apiKeys ?? [],
        authenticators: usage.authenticators ?? [],
        oauthProviders: usage.oauthProviders ?? [],
        ...(email === undefined ? {} : { email }),
        ...(phoneNumber === undefined ? {} : { phoneNumber }),
      };
      return sign(JSON.stringify({ signupV2, tokenId: claims.id, type: "USAGE_TYPE_SIGNUP" }));
    },
  };
}
