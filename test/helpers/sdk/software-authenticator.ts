// `navigator.credentials` for Turnkey's frontend SDKs in Node: a software authenticator holding
// passkeys made by turnkey-session-auth/testing's createSoftwarePasskey. It answers the way a browser
// does (plain mutable objects, ArrayBuffers: @turnkey/webauthn-stamper's webauthn-json writes derived
// fields back into them), with discoverable credentials (an empty allowCredentials picks any).
import { createSoftwarePasskey, type SoftwarePasskey } from "../../../src/testing/index.js";

type Bytes = ArrayBuffer | ArrayBufferView;

interface CreateOptions {
  publicKey: { challenge: Bytes; rp: { id?: string }; user: { id: Bytes } };
}
interface GetOptions {
  publicKey: { challenge: Bytes; rpId?: string; allowCredentials?: { id: Bytes }[] };
}

const bytesOf = (value: Bytes): Buffer =>
  value instanceof ArrayBuffer ? Buffer.from(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
const arrayBuffer = (value: Buffer): ArrayBuffer => value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer;

/** A software authenticator: `credentials` goes where `navigator.credentials` would be. */
export class SoftwareAuthenticator {
  readonly passkeys: { passkey: SoftwarePasskey; userHandle: Buffer }[] = [];
  /** How many assertions it made (one per passkey prompt a user would see). */
  assertions = 0;

  constructor(readonly origin: string) {}

  readonly credentials = {
    create: async ({ publicKey }: CreateOptions) => {
      const rpId = publicKey.rp.id ?? new URL(this.origin).hostname;
      const passkey = createSoftwarePasskey({ rpId, origin: this.origin }, bytesOf(publicKey.challenge));
      this.passkeys.push({ passkey, userHandle: bytesOf(publicKey.user.id) });
      const rawId = Buffer.from(passkey.credentialId, "base64url");
      return {
        type: "public-key",
        id: passkey.credentialId,
        rawId: arrayBuffer(rawId),
        authenticatorAttachment: "platform",
        response: {
          clientDataJSON: arrayBuffer(Buffer.from(passkey.registration.attestation.clientDataJson, "base64url")),
          attestationObject: arrayBuffer(Buffer.from(passkey.registration.attestation.attestationObject, "base64url")),
          getTransports: () => ["internal"],
        },
        getClientExtensionResults: () => ({}),
      };
    },
    get: async ({ publicKey }: GetOptions) => {
      const rpId = publicKey.rpId ?? new URL(this.origin).hostname;
      const allowed = (publicKey.allowCredentials ?? []).map((credential) => bytesOf(credential.id).toString("base64url"));
      const found = this.passkeys.find(({ passkey }) => passkey.rpId === rpId && (allowed.length === 0 || allowed.includes(passkey.credentialId)));
      if (found === undefined) throw Object.assign(new Error("The operation either timed out or was not allowed."), { name: "NotAllowedError" });
      this.assertions += 1;
      const { authenticatorData, clientDataJSON, signature } = found.passkey.assert(bytesOf(publicKey.challenge));
      return {
        type: "public-key",
        id: found.passkey.credentialId,
        rawId: arrayBuffer(Buffer.from(found.passkey.credentialId, "base64url")),
        authenticatorAttachment: "platform",
        response: { clientDataJSON: arrayBuffer(clientDataJSON), authenticatorData: arrayBuffer(authenticatorData), signature: arrayBuffer(signature), userHandle: arrayBuffer(found.userHandle) },
        getClientExtensionResults: () => ({}),
      };
    },
  };
}
