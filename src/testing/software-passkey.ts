import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import { compressedHexOf } from "./emulator/keys.js";

/**
 * A passkey's registration as Turnkey's API takes it (`v1AuthenticatorParamsV2` without its name):
 * what `@turnkey/core`'s `createPasskey()` returns as `{ encodedChallenge, attestation }`.
 *
 * @example
 * ```ts
 * const { challenge, attestation }: SoftwarePasskeyRegistration = createSoftwarePasskey().registration;
 * await client.createSubOrganization({ subOrganizationName, rootQuorumThreshold: 1, rootUsers: [{ userName, apiKeys: [], oauthProviders: [], authenticators: [{ authenticatorName: "laptop", challenge, attestation }] }] });
 * ```
 */
export interface SoftwarePasskeyRegistration {
  /** base64url (no padding) of the random challenge the attestation signed over. */
  readonly challenge: string;
  readonly attestation: {
    readonly credentialId: string;
    readonly clientDataJson: string;
    readonly attestationObject: string;
    readonly transports: readonly ["AUTHENTICATOR_TRANSPORT_INTERNAL"];
  };
}

/**
 * One passkey in software: an ES256 credential bound to `rpId`, with the registration Turnkey
 * stores, and a stamper that signs requests as `@turnkey/webauthn-stamper` does (`X-Stamp-Webauthn`).
 * For tests and demos in Node; a real passkey lives in an authenticator, never in JavaScript.
 *
 * @example
 * ```ts
 * const passkey = createSoftwarePasskey();
 * const client = new TurnkeyClient({ baseUrl: emulator.apiBaseUrl }, passkey); // @turnkey/http
 * const { activity } = await client.stampLogin({ type: "ACTIVITY_TYPE_STAMP_LOGIN", timestampMs: String(Date.now()), organizationId: emulator.parentOrganizationId, parameters: { publicKey } });
 * ```
 */
export interface SoftwarePasskey {
  /** base64url (no padding) of the credential id. */
  readonly credentialId: string;
  /** The credential's public key, compressed P-256 hex. */
  readonly publicKey: string;
  readonly rpId: string;
  readonly registration: SoftwarePasskeyRegistration;
  /** A WebAuthn assertion over `sha256hex(body)`, as the JSON header `X-Stamp-Webauthn`: a Turnkey stamper. */
  stamp(body: string): Promise<{ stampHeaderName: "X-Stamp-Webauthn"; stampHeaderValue: string }>;
  /** The assertion itself, for a `challenge` of your choice (the raw bytes the relying party asked to sign). */
  assert(challenge: Uint8Array): { authenticatorData: Buffer; clientDataJSON: Buffer; signature: Buffer };
}

/**
 * Options of {@link createSoftwarePasskey} and {@link createSoftwareAuthenticator}.
 *
 * @example
 * ```ts
 * const passkey = createSoftwarePasskey({ rpId: "localhost", origin: "http://localhost:3000" } satisfies SoftwarePasskeyOptions);
 * ```
 */
export interface SoftwarePasskeyOptions {
  /** The relying party id the passkey is bound to. Default `"localhost"`. */
  rpId?: string;
  /** The page origin written into clientDataJSON. Default `http://<rpId>`. */
  origin?: string;
}

// authenticatorData flags (WebAuthn §6.1): UP, UV, and AT at registration.
const FLAGS_ASSERTION = 0x05;
const FLAGS_REGISTRATION = 0x45;
const NO_AAGUID = Buffer.alloc(16);

/** The head of a CBOR item (RFC 8949 §3) for lengths and integers below 65,536. */
function cborHead(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 256) return Buffer.from([(major << 5) | 24, value]);
  return Buffer.from([(major << 5) | 25, value >> 8, value & 0xff]);
}

type CborInput = number | string | Buffer | Map<number | string, CborInput>;

/** CBOR encoding of what an attestation holds: integers, text, byte strings and maps. */
function cbor(value: CborInput): Buffer {
  if (typeof value === "number") return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === "string") return Buffer.concat([cborHead(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([cborHead(2, value.length), value]);
  return Buffer.concat([cborHead(5, value.size), ...[...value].flatMap(([key, item]) => [cbor(key), cbor(item)])]);
}

const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

function clientData(type: "webauthn.create" | "webauthn.get", challenge: Uint8Array, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge: Buffer.from(challenge).toString("base64url"), origin, crossOrigin: false }));
}

/**
 * Creates a {@link SoftwarePasskey}: a fresh ES256 key pair registered with a random challenge
 * (attestation format `"none"`, as browsers send by default).
 *
 * @example
 * ```ts
 * import { createSoftwarePasskey } from "turnkey-session-auth/testing";
 *
 * const passkey = createSoftwarePasskey();
 * await fetch("/auth/signup", { method: "POST", body: JSON.stringify({ userName: "ada", passkey: passkey.registration }) });
 * ```
 */
export function createSoftwarePasskey(options: SoftwarePasskeyOptions = {}, challenge: Uint8Array = randomBytes(32)): SoftwarePasskey {
  const rpId = options.rpId ?? "localhost";
  const origin = options.origin ?? `http://${rpId}`;
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const rawId = randomBytes(16);
  const credentialId = rawId.toString("base64url");
  const jwk = publicKey.export({ format: "jwk" });
  const coseKey = cbor(
    new Map<number, CborInput>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x as string, "base64url")],
      [-3, Buffer.from(jwk.y as string, "base64url")],
    ]),
  );
  const idLength = Buffer.from([rawId.length >> 8, rawId.length & 0xff]);
  const authData = Buffer.concat([sha256(rpId), Buffer.from([FLAGS_REGISTRATION]), Buffer.alloc(4), NO_AAGUID, idLength, rawId, coseKey]);
  const attestationObject = cbor(new Map<string, CborInput>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]));
  let signCount = 0;

  const assert = (assertionChallenge: Uint8Array) => {
    signCount += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(signCount);
    const authenticatorData = Buffer.concat([sha256(rpId), Buffer.from([FLAGS_ASSERTION]), counter]);
    const clientDataJSON = clientData("webauthn.get", assertionChallenge, origin);
    // WebAuthn §6.3.3: the signature covers authenticatorData ‖ sha256(clientDataJSON), DER for ES256.
    const signature = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), privateKey as KeyObject);
    return { authenticatorData, clientDataJSON, signature };
  };

  return {
    credentialId,
    publicKey: compressedHexOf(publicKey),
    rpId,
    registration: {
      challenge: Buffer.from(challenge).toString("base64url"),
      attestation: {
        credentialId,
        clientDataJson: clientData("webauthn.create", challenge, origin).toString("base64url"),
        attestationObject: attestationObject.toString("base64url"),
        transports: ["AUTHENTICATOR_TRANSPORT_INTERNAL"],
      },
    },
    assert,
    async stamp(body) {
      // @turnkey/webauthn-stamper's challenge: the UTF-8 bytes of the hex SHA-256 of the body.
      const { authenticatorData, clientDataJSON, signature } = assert(Buffer.from(sha256(body).toString("hex"), "utf8"));
      const stamp = {
        authenticatorData: authenticatorData.toString("base64url"),
        clientDataJson: clientDataJSON.toString("base64url"),
        credentialId,
        signature: signature.toString("base64url"),
      };
      return { stampHeaderName: "X-Stamp-Webauthn", stampHeaderValue: JSON.stringify(stamp) };
    },
  };
}
