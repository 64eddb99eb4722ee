import { encryptOtpCodeToBundle } from "@turnkey/crypto";
import { generateP256KeyPairHex, privateKeyFromHex, signRaw, type P256KeyPairHex } from "./keys.js";

/**
 * The `clientSignature` of OTP_LOGIN_V2 (Turnkey's `v1ClientSignature`).
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
  return {
    ...pair,
    encryptOtpCode(otpCode, otpEncryptionTargetBundle, signerPublicKey) {
      return encryptOtpCodeToBundle(otpCode, otpEncryptionTargetBundle, pair.publicKey, signerPublicKey);
    },
    signLogin(verificationToken, sessionPublicKey = pair.publicKey) {
      const payload = verificationToken.split(".")[1] ?? "";
      const { id } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { id?: unknown };
      if (typeof id !== "string") throw new TypeError("signLogin: the verification token has no id claim");
      const message = JSON.stringify({ login: { publicKey: sessionPublicKey }, tokenId: id, type: "USAGE_TYPE_LOGIN" });
      return { publicKey: pair.publicKey, scheme: "CLIENT_SIGNATURE_SCHEME_API_P256", message, signature: signRaw(privateKey, message).toString("hex") };
    },
  };
}
