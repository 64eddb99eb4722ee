// Passkey sign-up and login with @turnkey/core, the "bring your own backend" way of Turnkey's docs
// (sdks/typescript-frontend/advanced-backend-authentication): the backend creates the
// sub-organization; the frontend logs in with `stampLogin`.
import { StamperType, type TurnkeyClient } from "@turnkey/core";
import { postFlow } from "./backend.js";
import { short, StepError, type Story } from "./story.js";

/** How long the sign-up's temporary API key lives at Turnkey: as `@turnkey/core`'s own `signUpWithPasskey`. */
const TEMPORARY_KEY_SECONDS = 60;

/** What sign-up created at Turnkey. */
export interface SignUpResult {
  subOrganizationId: string;
  userId: string;
}

/**
 * Creates a passkey and a temporary API key in the browser, has the backend create the user's
 * sub-organization with both, then logs in with `stampLogin` stamped by the temporary key.
 */
export async function signUpWithPasskey(client: TurnkeyClient, userName: string, story: Story): Promise<SignUpResult> {
  const temporaryPublicKey = await client.createApiKeyPair();
  story.frontend(`createApiKeyPair(): a temporary P-256 key pair in IndexedDB (private half not extractable), public key ${short(temporaryPublicKey)}.`);

  // Turnkey accepts letters, digits, spaces, "-", "_", ":" and "/" in authenticator names, 1 to 64 of them.
  const passkeyName = `Passkey of ${userName.replace(/[^\w :/-]/g, "").slice(0, 40) || "a user"}`;
  const { encodedChallenge, attestation } = await client.createPasskey({ name: passkeyName });
  story.frontend(`createPasskey(): the browser made a passkey for "localhost" (navigator.credentials.create), credential ${short(attestation.credentialId)}. Its attestation holds the passkey's public key.`);

  const signup = await postFlow("signup", {
    userName,
    passkey: { challenge: encodedChallenge, attestation, authenticatorName: passkeyName },
    apiKey: { publicKey: temporaryPublicKey, expirationSeconds: TEMPORARY_KEY_SECONDS, name: "Sign-up key" },
  });
  if (signup.status !== 201) throw new StepError(`POST /auth/signup answered ${signup.status} ${String(signup.body.error)}: ${String(signup.body.message)}`);
  const result = { subOrganizationId: String(signup.body.subOrganizationId), userId: String(signup.body.userId) };
  story.backend(`POST /auth/signup → 201: createPasskeySubOrganization called Turnkey with the parent organization's API key (the browser never holds it).`);
  story.turnkey(
    `CREATE_SUB_ORGANIZATION_V8: sub-organization ${short(result.subOrganizationId)}, root user ${short(result.userId)} "${userName}" holding the passkey and the temporary key (expires in ${TEMPORARY_KEY_SECONDS} s).`,
  );

  const sessionPublicKey = await client.createApiKeyPair();
  await client.overrideApiKeyStamper({ temporaryPublicKey });
  try {
    const { session } = await client.httpClient.stampLogin(
      { publicKey: sessionPublicKey, organizationId: result.subOrganizationId, expirationSeconds: "900" },
      StamperType.ApiKey,
    );
    story.frontend(`httpClient.stampLogin(): a request signed (X-Stamp) by the temporary key, sent straight to Turnkey (another origin: CORS).`);
    story.turnkey(`STAMP_LOGIN: checked the stamp, made the new key ${short(sessionPublicKey)} a session key of the user, and signed a session JWT for it (15 min).`);
    await client.storeSession({ sessionToken: session });
    story.frontend(`storeSession(): the session is in localStorage; the temporary key pair is deleted (it expires at Turnkey on its own).`);
  } finally {
    await client.overrideApiKeyStamper({ temporaryPublicKey: "" });
  }
  return result;
}

/**
 * `loginWithPasskey()`: a new session key pair, then `stampLogin` signed by the passkey
 * (X-Stamp-Webauthn). It names the parent organization: Turnkey finds the sub-organization
 * holding the passkey.
 */
export async function loginWithPasskey(client: TurnkeyClient, story: Story): Promise<void> {
  const { credentialId } = await client.loginWithPasskey();
  story.frontend(`loginWithPasskey(): a new session key pair, then the browser signed the stampLogin request with the passkey (navigator.credentials.get, credential ${short(credentialId)}), sent as X-Stamp-Webauthn.`);
  const session = await client.getSession();
  story.turnkey(
    `STAMP_LOGIN for the parent organization: Turnkey checked the passkey's signature with the public key kept at sign-up, found the sub-organization holding it (${short(session?.organizationId ?? "?")}), and signed a session JWT for the new key.`,
  );
  story.backend("Not involved: passkey login happens between the browser and Turnkey.");
}
