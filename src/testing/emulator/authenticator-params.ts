import { invalidArgument } from "./api-error.js";
import { credentialFromAttestation } from "./attestation.js";
import { sameChallenge } from "./challenge.js";
import { arrayAt, objectAt, requiredString } from "./params.js";
import type { NewUser } from "./store.js";

/**
 * A passkey of Turnkey's `v1AuthenticatorParamsV2` `{ authenticatorName, challenge, attestation:
 * { credentialId, clientDataJson, attestationObject, transports } }`: the registration's
 * clientDataJSON must be a `webauthn.create` over `challenge`, and the attestation object must hold
 * the credential `credentialId` with an ES256 public key, which is kept to verify its stamps.
 */
export function parseAuthenticator(value: unknown, what: string): NonNullable<NewUser["authenticators"]>[number] {
  const input = objectAt(value, what);
  const challenge = requiredString(input, "challenge", `${what}.challenge`);
  const attestation = objectAt(input.attestation, `${what}.attestation`);
  const clientDataJson = requiredString(attestation, "clientDataJson", `${what}.attestation.clientDataJson`);
  let clientData: { type?: unknown; challenge?: unknown };
  try {
    clientData = JSON.parse(Buffer.from(clientDataJson, "base64url").toString("utf8")) as typeof clientData;
  } catch {
    throw invalidArgument(`${what}.attestation.clientDataJson must be base64url-encoded JSON`);
  }
  if (clientData.type !== "webauthn.create") throw invalidArgument(`${what}: clientDataJson.type must be "webauthn.create"`);
  if (typeof clientData.challenge !== "string" || !sameChallenge(clientData.challenge, challenge)) {
    throw invalidArgument(`${what}: the attestation's challenge does not match the challenge parameter`);
  }
  const transports = arrayAt(attestation, "transports", `${what}.attestation.transports`);
  if (!transports.every((transport) => typeof transport === "string" && transport.startsWith("AUTHENTICATOR_TRANSPORT_"))) {
    throw invalidArgument(`${what}.attestation.transports must be AUTHENTICATOR_TRANSPORT_* values`);
  }
  const authenticatorName = requiredString(input, "authenticatorName", `${what}.authenticatorName`);
  const credential = credentialFromAttestation(
    requiredString(attestation, "attestationObject", `${what}.attestation.attestationObject`),
    requiredString(attestation, "credentialId", `${what}.attestation.credentialId`),
  );
  return {
    authenticatorName,
    ...credential,
    challenge,
    transports: transports as string[],
  };
}
