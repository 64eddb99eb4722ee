// Two "instances" of a backend: flow handlers with their own SDK client (so no in-process
// coalescing is shared) on one emulator, sharing (or not) one store.
import type { SessionStore } from "../../../src/index.js";
import { createFlowHandler, type FlowHandler } from "../../../src/flows/index.js";
import { createTestClientKey, oauthNonceOf, type TurnkeyEmulator } from "../../../src/testing/index.js";
import { encryptCode, sdkClient } from "../testing/emulator-helpers.js";

export const AUDIENCE = "cluster-app";

/** A flow handler as one instance of the service would build it. */
export function instance(emulator: TurnkeyEmulator, store?: SessionStore, timeoutMs = 5000): FlowHandler {
  return createFlowHandler({
    client: sdkClient(emulator),
    parentOrganizationId: emulator.parentOrganizationId,
    appName: "tests",
    otpSignerPublicKey: emulator.otpSignerPublicKey,
    notarizerPublicKey: emulator.notarizerPublicKey,
    oauth: { issuers: [emulator.oidcIssuer.issuer], audiences: [AUDIENCE] },
    timeoutMs,
    ...(store === undefined ? {} : { store }),
  });
}

/** The body of a first OTP login for `contact`: a code received, verified, both signatures made. */
export async function otpLoginBody(emulator: TurnkeyEmulator, handle: FlowHandler, contact: string) {
  const key = createTestClientKey();
  const init = (await handle("otp-init", { otpType: "OTP_TYPE_EMAIL", contact })).body as { otpId: string; otpEncryptionTargetBundle: string };
  const encryptedOtpBundle = await encryptCode(emulator, contact, init.otpEncryptionTargetBundle, key);
  const { verificationToken } = (await handle("otp-verify", { otpId: init.otpId, encryptedOtpBundle })).body as { verificationToken: string };
  return { verificationToken, publicKey: key.publicKey, clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) };
}

/** The body of an OAuth login of `sub` with a fresh session key. */
export function oauthLoginBody(emulator: TurnkeyEmulator, sub: string) {
  const key = createTestClientKey();
  return { oidcToken: emulator.oidcIssuer.sign({ sub, aud: AUDIENCE, nonce: oauthNonceOf(key.publicKey) }), publicKey: key.publicKey };
}

/** How many sub-organizations the emulator's parent organization has. */
export function subOrganizationCount(emulator: TurnkeyEmulator): number {
  return emulator.organization(emulator.parentOrganizationId)?.subOrganizationIds.length ?? 0;
}

/** Widens the race: every create answers late, so both instances look up before either creates. */
export const slowCreate = { kind: "slow", delayMs: 300, endpoint: "/public/v1/submit/create_sub_organization" } as const;
