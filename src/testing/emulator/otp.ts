import { createPublicKey, generateKeyPairSync, randomInt, randomUUID, type KeyObject } from "node:crypto";
import { hpkeDecrypt } from "@turnkey/crypto";
import { invalidArgument, notFound } from "./api-error.js";
import { BoundedMap } from "./bounded.js";
import { isCompressedP256Hex, signDerHex, signRaw, uncompressedHexOf, verifyHexSignature } from "./keys.js";

/** The claims of an OTP verification token, in Turnkey's order; `exp` is milliseconds, as a string. */
export interface VerificationTokenClaims {
  readonly exp: string;
  readonly id: string;
  readonly organization_id: string;
  readonly verification_type: string;
  readonly contact: string;
  readonly public_key: string;
}

interface OtpRecord {
  readonly otpId: string;
  readonly organizationId: string;
  readonly otpType: string;
  readonly contact: string;
  readonly code: string;
  readonly expiresAtMs: number;
  readonly targetPrivateKey: string;
  attemptsLeft: number;
  used: boolean;
}

/**
 * An OTP code the emulator "sent" (no email or SMS leaves it), as its `onOtpSent` option sees it.
 *
 * @example
 * ```ts
 * const emulator = await startTurnkeyEmulator({ onOtpSent: (otp: EmulatorSentOtp) => console.log(`code for ${otp.contact}: ${otp.code}`) });
 * ```
 */
export interface EmulatorSentOtp {
  readonly otpId: string;
  readonly otpType: string;
  readonly contact: string;
  readonly code: string;
  readonly organizationId: string;
}

/** Parameters of INIT_OTP_V3 that the emulator honours. */
export interface InitOtpInput {
  readonly organizationId: string;
  readonly otpType: string;
  readonly contact: string;
  readonly otpLength: number;
  readonly alphanumeric: boolean;
  readonly expirationSeconds: number;
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const DIGITS = "0123456789";
const MAX_ATTEMPTS = 3;
const TOKEN_HEADER = { typ: "JWT", alg: "ES256" };

/** Normalizes a contact for lookups: emails compare case-insensitively, phone numbers exactly. */
export function normalizeContact(contact: string): string {
  return contact.includes("@") ? contact.trim().toLowerCase() : contact.trim();
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Forgets the entries at the front of `map` (the oldest added) that have expired. */
function forgetExpired<K>(map: Map<K, { readonly expiresAtMs: number }>, nowMs: number): void {
  for (const [key, entry] of map) {
    if (entry.expiresAtMs > nowMs) return;
    map.delete(key);
  }
}

/**
 * Turnkey's OTP enclave, emulated: issues OTP codes with a signed encryption-target bundle
 * (`otpEncryptionTargetBundle`), decrypts the HPKE `encryptedOtpBundle` the SDK's
 * `encryptOtpCodeToBundle` produces, and issues ES256 verification tokens, all signed by one key
 * standing in for Turnkey's TLS fetcher key (`signerPublicKey`). At most `maxOtps` codes (and as
 * many tokens) are kept, each forgotten once expired.
 */
export class OtpService {
  /** Uncompressed hex of the key that signs target bundles and verification tokens. */
  readonly signerPublicKey: string;
  readonly #signer: KeyObject;
  readonly #now: () => number;
  readonly #otps: BoundedMap<string, OtpRecord>;
  readonly #tokens: BoundedMap<string, { consumed: boolean; readonly expiresAtMs: number }>;
  readonly #lastCode: BoundedMap<string, { readonly code: string; readonly expiresAtMs: number }>;
  readonly #onSent: ((otp: EmulatorSentOtp) => void) | undefined;

  constructor(now: () => number, maxOtps: number, onSent?: (otp: EmulatorSentOtp) => void) {
    this.#now = now;
    this.#onSent = onSent;
    this.#otps = new BoundedMap(maxOtps);
    this.#tokens = new BoundedMap(maxOtps);
    this.#lastCode = new BoundedMap(maxOtps);
    this.#signer = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    this.signerPublicKey = uncompressedHexOf(createPublicKey(this.#signer));
  }

  /** The last OTP code sent to `contact`, as a test reads it from the inbox. */
  lastCode(contact: string): string | undefined {
    const key = normalizeContact(contact);
    const sent = this.#lastCode.get(key);
    if (sent === undefined || sent.expiresAtMs > this.#now()) return sent?.code;
    this.#lastCode.delete(key);
    return undefined;
  }

  init(input: InitOtpInput): { otpId: string; otpEncryptionTargetBundle: string } {
    const alphabet = input.alphanumeric ? CROCKFORD : DIGITS;
    let code = "";
    for (let index = 0; index < input.otpLength; index++) code += alphabet[randomInt(alphabet.length)];
    const target = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const otpId = randomUUID();
    const expiresAtMs = this.#now() + input.expirationSeconds * 1000;
    forgetExpired(this.#otps, this.#now());
    forgetExpired(this.#lastCode, this.#now());
    this.#otps.set(otpId, {
      otpId,
      organizationId: input.organizationId,
      otpType: input.otpType,
      contact: input.contact,
      code,
      expiresAtMs,
      targetPrivateKey: Buffer.from(target.export({ format: "jwk" }).d as string, "base64url").toString("hex").padStart(64, "0"),
      attemptsLeft: MAX_ATTEMPTS,
      used: false,
    });
    const contact = normalizeContact(input.contact);
    this.#lastCode.delete(contact); // re-added last: the newest code is the last forgotten
    this.#lastCode.set(contact, { code, expiresAtMs });
    try {
      this.#onSent?.({ otpId, otpType: input.otpType, contact: input.contact, code, organizationId: input.organizationId });
    } catch {
      // A listener's failure is the listener's: the code was still "sent".
    }
    // The signed bundle @turnkey/crypto's encryptOtpCodeToBundle checks: data is hex JSON with the
    // target key, dataSignature DER ECDSA-SHA256 over those bytes, enclaveQuorumPublic the signer.
    const data = Buffer.from(JSON.stringify({ organizationId: input.organizationId, otpId, targetPublic: uncompressedHexOf(createPublicKey(target)) })).toString("hex");
    const otpEncryptionTargetBundle = JSON.stringify({
      version: "v1.0.0",
      data,
      dataSignature: signDerHex(this.#signer, Buffer.from(data, "hex")),
      enclaveQuorumPublic: this.signerPublicKey,
    });
    return { otpId, otpEncryptionTargetBundle };
  }

  /** VERIFY_OTP_V2: decrypts the bundle, checks the code, and returns a verification token. */
  verify(input: { organizationId: string; otpId: string; encryptedOtpBundle: string; expirationSeconds: number }): string {
    const otp = this.#otps.get(input.otpId);
    if (otp === undefined || otp.organizationId !== input.organizationId) throw notFound(`OTP not found: ${input.otpId}`);
    if (otp.used) throw invalidArgument("OTP has already been used");
    if (otp.attemptsLeft <= 0) throw invalidArgument("OTP is no longer valid: too many failed attempts");
    if (otp.expiresAtMs <= this.#now()) {
      this.#otps.delete(input.otpId); // refused once as expired, then unknown
      throw invalidArgument("OTP has expired");
    }
    const { otpCode, publicKey } = this.#decrypt(input.encryptedOtpBundle, otp.targetPrivateKey);
    if (otpCode.toUpperCase() !== otp.code.toUpperCase()) {
      otp.attemptsLeft -= 1;
      throw invalidArgument("Invalid OTP code");
    }
    otp.used = true;
    const claims: VerificationTokenClaims = {
      exp: String(this.#now() + input.expirationSeconds * 1000),
      id: randomUUID(),
      organization_id: otp.organizationId,
      verification_type: otp.otpType,
      contact: otp.contact,
      public_key: publicKey,
    };
    forgetExpired(this.#tokens, this.#now());
    this.#tokens.set(claims.id, { consumed: false, expiresAtMs: Number(claims.exp) });
    const signingInput = `${encodeJson(TOKEN_HEADER)}.${encodeJson(claims)}`;
    return `${signingInput}.${signRaw(this.#signer, signingInput).toString("base64url")}`;
  }

  /** Checks a verification token this emulator issued: signature, expiry, not yet consumed. */
  readToken(token: unknown): VerificationTokenClaims {
    if (typeof token !== "string") throw invalidArgument("verificationToken is required");
    const [header, payload, signature, extra] = token.split(".");
    if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) {
      throw invalidArgument("malformed verification token");
    }
    const signatureHex = Buffer.from(signature, "base64url").toString("hex");
    if (!verifyHexSignature(this.signerPublicKey, signatureHex, `${header}.${payload}`, "raw")) {
      throw invalidArgument("invalid verification token: bad signature");
    }
    let claims: VerificationTokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as VerificationTokenClaims;
    } catch {
      throw invalidArgument("malformed verification token: the payload is not JSON");
    }
    if (!(Number(claims.exp) > this.#now())) throw invalidArgument("verification token has expired");
    const state = this.#tokens.get(claims.id);
    if (state === undefined) throw invalidArgument("unknown verification token");
    if (state.consumed) throw invalidArgument("verification token has already been used");
    return claims;
  }

  /** Marks a verification token as used (OTP_LOGIN consumes it). */
  consume(id: string): void {
    const state = this.#tokens.get(id);
    if (state !== undefined) state.consumed = true;
  }

  #decrypt(bundle: string, targetPrivateKey: string): { otpCode: string; publicKey: string } {
    let plaintext: unknown;
    try {
      const { encappedPublic, ciphertext } = JSON.parse(bundle) as { encappedPublic: string; ciphertext: string };
      const decrypted = hpkeDecrypt({
        ciphertextBuf: Buffer.from(ciphertext, "hex"),
        encappedKeyBuf: Buffer.from(encappedPublic, "hex"),
        receiverPriv: targetPrivateKey,
      });
      plaintext = JSON.parse(Buffer.from(decrypted).toString("utf8"));
    } catch {
      throw invalidArgument("could not decrypt encryptedOtpBundle: encrypt the code with encryptOtpCodeToBundle and this OTP's otpEncryptionTargetBundle");
    }
    const { otp_code: otpCode, public_key: publicKey } = (plaintext ?? {}) as Record<string, unknown>;
    if (typeof otpCode !== "string" || otpCode.length === 0) throw invalidArgument("encryptedOtpBundle has no otp_code");
    if (!isCompressedP256Hex(publicKey)) throw invalidArgument("encryptedOtpBundle's public_key must be a compressed P-256 public key in hex");
    return { otpCode, publicKey: publicKey.toLowerCase() };
  }
}
