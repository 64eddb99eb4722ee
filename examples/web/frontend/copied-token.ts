// "A copied token is useless without the key": the same session JWT, signed by its key (accepted),
// then as a thief would send it, having copied the token (from a log, a proxy, an extension) but not
// the key, which @turnkey/core keeps non-extractable in IndexedDB (refused).
import type { TurnkeyClient } from "@turnkey/core";
import { dpopFetch } from "../../../src/client/index.js";
import { getSigned, getUnsigned, type Answer } from "./backend.js";
import { currentSession, signedFetch } from "./session.js";
import { short, StepError, type Story } from "./story.js";

/** A thief's own P-256 key pair, made here for the demonstration; nothing ties it to the session. */
async function thiefKey(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey: Array.from(raw, (byte) => byte.toString(16).padStart(2, "0")).join("") };
}

function refusedWith(answer: Answer, code: string): boolean {
  return answer.status === 401 && answer.body.error === code;
}

/** GET /me signed by the session key (200), then three copies of its token without the key (401 each). */
export async function showCopiedTokenRefused(client: TurnkeyClient, story: Story): Promise<void> {
  const session = await currentSession(client);
  const signed = await getSigned("/me", signedFetch(client, session));
  story.frontend(`dpopFetch: GET /me with "Authorization: DPoP" and a proof signed in IndexedDB by the session key ${short(session.publicKey ?? "?")}.`);
  story.answer("GET /me signed by the session key", signed.status, signed.body);
  if (signed.status !== 200 || signed.body.userId !== session.userId) throw new StepError(`expected 200 for ${session.userId}, got ${signed.status}`);

  story.frontend("Now the same token as a thief who copied it, but not the key (not extractable), would send it:");
  const bearer = await getUnsigned("/me", session.token);
  story.answer("GET /me with the copied token as a Bearer token, no proof", bearer.status, bearer.body);
  const thief = await thiefKey();
  const ownKey = await getSigned("/me", dpopFetch({ token: session.token, publicKey: thief.publicKey, privateKey: thief.privateKey }));
  story.answer("GET /me with the copied token and a proof signed by the thief's own key", ownKey.status, ownKey.body);
  // The proof claims the session's public key (the token's public_key), but only its private half could sign for it.
  const claimed = await getSigned("/me", dpopFetch({ token: session.token, privateKey: thief.privateKey }));
  story.answer("GET /me with the copied token and a proof naming the session's key, signed by the thief's", claimed.status, claimed.body);
  story.backend(`dpop: "required" refused all three: no proof (no downgrade to Bearer), a proof by another key than the JWT's public_key, and a signature that the session key did not make.`);
  if (!refusedWith(bearer, "dpop_required") || !refusedWith(ownKey, "dpop_key_mismatch") || !refusedWith(claimed, "dpop_invalid_signature")) {
    throw new StepError(`expected 401 dpop_required, dpop_key_mismatch, dpop_invalid_signature; got ${bearer.status}, ${ownKey.status}, ${claimed.status}`);
  }
}
