import type { SessionStore } from "../store/session-store.js";
import type { ClientSignature, RootUser, TurnkeyFlowsClient } from "./client.js";
import { checkSignupSignature } from "./client-signatures.js";
import { createOnce, optionalStore } from "./signup-lock.js";
import { invalidRequest } from "./errors.js";
import { createSubOrganization } from "./create-sub-organization.js";
import { badResponse, callTurnkey, requireClient, resolveTimeout } from "./turnkey-call.js";
import { checkVerificationToken, type VerifiedOtpToken } from "./verification-token.js";
import { optionalString, requireClientSignature, requireObject, requireString } from "./validate.js";

/**
 * Input of {@link getOrCreateSubOrganization}.
 *
 * @example
 * ```ts
 * const input: GetOrCreateSubOrganizationInput = { client, parentOrganizationId, verificationToken, signupClientSignature };
 * ```
 */
export interface GetOrCreateSubOrganizationInput {
  client: Pick<TurnkeyFlowsClient, "getVerifiedSubOrgIds" | "createSubOrganization">;
  parentOrganizationId: string;
  /** From {@link verifyOtp}: the contact it verified is the one looked up, and recorded verified on creation. */
  verificationToken: string;
  /**
   * The client's `USAGE_TYPE_SIGNUP` signature, by the token's key, of the root user created when no
   * sub-organization has the contact verified yet: `{"signupV2":{"apiKeys":[],"authenticators":[],
   * "oauthProviders":[],"email":<contact>},"tokenId":<token id>,"type":"USAGE_TYPE_SIGNUP"}`
   * (`"phoneNumber"` for SMS), as `@turnkey/core`'s `getClientSignatureMessageForSignup` builds it.
   * Not needed when one exists.
   */
  signupClientSignature?: ClientSignature;
  /** Name of the root user when one is created. Default: the contact. */
  userName?: string;
  /** Verification-token signer key; default Turnkey's production key (`emulator.otpSignerPublicKey`). */
  otpSignerPublicKey?: string;
  /**
   * The store your instances share (e.g. `createRedisStore`): with it, a sign-up locks the contact
   * cluster-wide (`signup:<sha-256 hex>`), so two instances never create two sub-organizations for
   * one contact. Without it the guarantee holds within this process only. A store failure is a 503
   * `unavailable`: no account is created unguarded.
   */
  store?: SessionStore;
  timeoutMs?: number;
}

/**
 * Result of {@link getOrCreateSubOrganization}.
 *
 * @example
 * ```ts
 * const { subOrganizationId, created }: GetOrCreateSubOrganizationResult = await getOrCreateSubOrganization(input);
 * ```
 */
export interface GetOrCreateSubOrganizationResult {
  subOrganizationId: string;
  /** `true` when this call created it (a sign-up), `false` when it existed (a login). */
  created: boolean;
}

// Concurrent calls for one contact share one lookup-and-create, per client, so a double-submitted
// sign-up does not create two sub-organizations (within this process).
const pendingByClient = new WeakMap<object, Map<string, Promise<GetOrCreateSubOrganizationResult>>>();

/**
 * Finds the sub-organization whose user has the verification token's email or phone number
 * **verified** (`getVerifiedSubOrgIds`, filter EMAIL or PHONE_NUMBER), or creates one whose root user
 * holds that contact, marked verified by Turnkey (the token and `signupClientSignature` go with
 * CREATE_SUB_ORGANIZATION), and no credentials (OTP login adds the session key). A contact recorded
 * without verification (a sign-up that merely named it) is never matched: whoever typed someone
 * else's email cannot receive that person's login. When several match, the first (oldest) is used.
 * Every failure is a {@link TurnkeyFlowError}: 400 `invalid_request` when a sub-organization must be
 * created and `signupClientSignature` is missing or does not sign that root user.
 *
 * @example
 * ```ts
 * const { subOrganizationId, created } = await getOrCreateSubOrganization({
 *   client, parentOrganizationId, verificationToken, signupClientSignature,
 * });
 * ```
 */
export async function getOrCreateSubOrganization(input: GetOrCreateSubOrganizationInput): Promise<GetOrCreateSubOrganizationResult> {
  requireObject(input, "input");
  const client = requireClient(input.client, "getVerifiedSubOrgIds", "createSubOrganization");
  const parentOrganizationId = requireString(input.parentOrganizationId, "parentOrganizationId");
  const signature =
    input.signupClientSignature === undefined || input.signupClientSignature === null
      ? undefined
      : requireClientSignature(input.signupClientSignature, "signupClientSignature", "sign-up");
  const userName = optionalString(input.userName, "userName");
  const timeoutMs = resolveTimeout(input.timeoutMs);
  const store = optionalStore(input.store);
  const token = await checkVerificationToken(input.verificationToken, {
    parentOrganizationId,
    ...(input.otpSignerPublicKey === undefined ? {} : { otpSignerPublicKey: input.otpSignerPublicKey }),
  });
  const contact = token.contact;
  const rootUser: RootUser = {
    userName: userName ?? contact,
    ...(token.otpType === "OTP_TYPE_EMAIL" ? { userEmail: contact } : { userPhoneNumber: contact }),
    apiKeys: [],
    authenticators: [],
    oauthProviders: [],
  };
  // Checked before joining a pending call, so one request's bad signature never fails another's.
  if (signature !== undefined) checkSignupSignature(signature, token, rootUser, "signupClientSignature");

  // A call without the sign-up signature only looks up: it never shares a creating call's outcome.
  const normalized = token.otpType === "OTP_TYPE_EMAIL" ? contact.trim().toLowerCase() : contact.trim();
  const key = `${parentOrganizationId}\u0000${token.otpType}\u0000${normalized}\u0000${signature === undefined ? "find" : "create"}`;
  let pending = pendingByClient.get(client);
  if (pending === undefined) {
    pending = new Map();
    pendingByClient.set(client, pending);
  }
  const running = pending.get(key);
  if (running !== undefined) return running;
  const started = findOrCreate(client, parentOrganizationId, token, input.verificationToken, rootUser, signature, timeoutMs, store, normalized).finally(() => pending.delete(key));
  pending.set(key, started);
  return started;
}

async function findOrCreate(
  client: GetOrCreateSubOrganizationInput["client"],
  parentOrganizationId: string,
  token: VerifiedOtpToken,
  verificationToken: string,
  rootUser: RootUser,
  signature: ClientSignature | undefined,
  timeoutMs: number,
  store: SessionStore | undefined,
  normalizedContact: string,
): Promise<GetOrCreateSubOrganizationResult> {
  const filterType = token.otpType === "OTP_TYPE_EMAIL" ? "EMAIL" : "PHONE_NUMBER";
  const find = async (): Promise<GetOrCreateSubOrganizationResult | undefined> => {
    const found = await callTurnkey("find sub-organization", timeoutMs, () =>
      client.getVerifiedSubOrgIds({ organizationId: parentOrganizationId, filterType, filterValue: token.contact }),
    );
    if (!Array.isArray(found?.organizationIds)) throw badResponse("find sub-organization", "no organizationIds");
    const existing = found.organizationIds.find((id) => typeof id === "string" && id.length > 0);
    return existing === undefined ? undefined : { subOrganizationId: existing, created: false };
  };
  const existing = await find();
  if (existing !== undefined) return existing;
  if (signature === undefined) {
    const what = token.otpType === "OTP_TYPE_EMAIL" ? "email address" : "phone number";
    throw invalidRequest(
      `signupClientSignature is required: no account has this ${what} verified yet, so this login creates one, which needs the client's USAGE_TYPE_SIGNUP signature of it`,
    );
  }
  const create = async (): Promise<GetOrCreateSubOrganizationResult> => {
    const { subOrganizationId } = await createSubOrganization(client, {
      parentOrganizationId,
      name: rootUser.userName,
      rootUser,
      verification: { verificationToken, clientSignature: signature },
      timeoutMs,
      rejected: "Turnkey refused to create the account: the verification token or signupClientSignature was not accepted",
    });
    return { subOrganizationId, created: true };
  };
  if (store === undefined) return create();
  return createOnce({ store, identity: `${parentOrganizationId}\u0000${filterType}\u0000${normalizedContact}`, timeoutMs, find, create });
}
