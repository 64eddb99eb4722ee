// The browser side: @turnkey/core's session key signs each request's DPoP proof. Shown in
// docs/dpop.md; run by test/sdk/core-dpop.test.ts.
import type { TurnkeyClient } from "@turnkey/core";
import { dpopFetch } from "../../src/client/index.js";

/** A fetch whose requests carry the session token and a proof signed by the session key. */
export async function sessionFetch(turnkey: TurnkeyClient) {
  const session = await turnkey.getSession();
  if (session?.publicKey === undefined) throw new Error("Log in first");
  const publicKey = session.publicKey;
  return dpopFetch({
    token: session.token,
    // signWithApiKey: ECDSA P-256 over SHA-256(message), raw r||s: an ES256 signature.
    sign: (message) => turnkey.signWithApiKey({ message, publicKey }),
  });
}
