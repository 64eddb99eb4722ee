// Email OTP login through the backend (turnkey-session-auth/flows), with @turnkey/core's key
// storage and signatures. The code never reaches the backend in clear: the browser encrypts it
// to Turnkey's enclave key, bound to the key that will become the session key.
import { getClientSignatureMessageForLogin, getClientSignatureMessageForSignup, type TurnkeyClient } from "@turnkey/core";
import { encryptOtpCodeToBundle } from "@turnkey/crypto";
import { postFlow, type PageConfig } from "./backend.js";
import { short, StepError, type Story } from "./story.js";

/** An OTP that was sent, waiting for the code the user types. */
export interface PendingOtp {
  contact: string;
  otpId: string;
  otpEncryptionTargetBundle: string;
}

/** What the login logged into. */
export interface OtpLoginResult {
  organizationId: string;
  created: boolean;
}

function refused(label: string, answer: { status: number; body: Record<string, unknown> }): StepError {
  return new StepError(`${label} answered ${answer.status} ${String(answer.body.error)}: ${String(answer.body.message)}`);
}

/** `POST /auth/otp-init`: Turnkey "emails" a code and answers a bundle to encrypt it to. */
export async function sendOtp(contact: string, story: Story): Promise<PendingOtp> {
  const init = await postFlow("otp-init", { otpType: "OTP_TYPE_EMAIL", contact });
  if (init.status !== 200) throw refused("POST /auth/otp-init", init);
  story.backend(`POST /auth/otp-init → 200: initOtp called Turnkey with the parent organization's API key.`);
  story.turnkey(`INIT_OTP_V3: a one-time code "sent" to ${contact} (the emulator keeps it in its inbox), and an encryption-target bundle signed by Turnkey's OTP signer.`);
  story.frontend(`Kept otpId and the bundle; now type the code from the email.`);
  return { contact, otpId: String(init.body.otpId), otpEncryptionTargetBundle: String(init.body.otpEncryptionTargetBundle) };
}

/**
 * Encrypts the code with a new key pair (the future session key), has the backend verify it and
 * log in (or sign up, on this email's first login), then stores the session.
 */
export async function loginWithOtp(client: TurnkeyClient, config: PageConfig, pending: PendingOtp, code: string, story: Story): Promise<OtpLoginResult> {
  // No storeSession between here and the end: it deletes every key pair no stored session uses.
  const publicKey = await client.createApiKeyPair();
  story.frontend(`createApiKeyPair(): key ${short(publicKey)}, the future session key.`);
  // The 4th argument is the emulator's OTP signer key; in production leave it out (Turnkey's key is built in).
  const encryptedOtpBundle = await encryptOtpCodeToBundle(code, pending.otpEncryptionTargetBundle, publicKey, config.otpSignerPublicKey);
  story.frontend(`encryptOtpCodeToBundle(): checked the bundle's signature, encrypted the code (with the key) to Turnkey's enclave.`);

  const verify = await postFlow("otp-verify", { otpId: pending.otpId, encryptedOtpBundle });
  if (verify.status !== 200) throw refused("POST /auth/otp-verify", verify);
  const verificationToken = String(verify.body.verificationToken);
  story.backend(`POST /auth/otp-verify → 200: verifyOtp, then checked the verification token's signature.`);
  story.turnkey(`VERIFY_OTP_V2: decrypted the code, matched it, and signed a verification token bound to key ${short(publicKey)}.`);

  const sign = async (message: string) => ({
    publicKey,
    scheme: "CLIENT_SIGNATURE_SCHEME_API_P256" as const,
    message,
    signature: await client.signWithApiKey({ message, publicKey }),
  });
  const clientSignature = await sign(getClientSignatureMessageForLogin({ verificationToken }).message);
  const signupClientSignature = await sign(
    getClientSignatureMessageForSignup({ verificationToken, email: pending.contact, apiKeys: [], authenticators: [], oauthProviders: [] }).message,
  );
  story.frontend(`signWithApiKey(): signed "log in with this token" and "sign up with this email" (used only if no account has it verified).`);

  const login = await postFlow("otp-login", { verificationToken, publicKey, clientSignature, signupClientSignature });
  if (login.status !== 200) throw refused("POST /auth/otp-login", login);
  const result = { organizationId: String(login.body.organizationId), created: login.body.created === true };
  story.backend(
    result.created
      ? `POST /auth/otp-login → 200: no sub-organization had ${pending.contact} verified, so it created one (the email verified), then logged in, and verified the session JWT before answering it.`
      : `POST /auth/otp-login → 200: found the sub-organization with ${pending.contact} verified (list_verified_suborgs), logged in, and verified the session JWT before answering it.`,
  );
  story.turnkey(`${result.created ? "CREATE_SUB_ORGANIZATION_V8, then " : ""}OTP_LOGIN_V2: checked the token and the client signature, and signed a session JWT for key ${short(publicKey)} in ${short(result.organizationId)}.`);

  await client.storeSession({ sessionToken: String(login.body.session) });
  story.frontend(`storeSession(): the session is in localStorage; its key pair stays in IndexedDB.`);
  return result;
}
