import type { TurnkeyFlowsClient } from "./client.js";
import { badResponse, callTurnkey, requireClient, resolveTimeout } from "./turnkey-call.js";
import { optionalString, requireContact, requireObject, requireOtpType, requireString, type OtpType } from "./validate.js";

/**
 * Input of {@link getOrCreateSubOrganization}.
 *
 * @example
 * ```ts
 * const input: GetOrCreateSubOrganizationInput = { client, parentOrganizationId, otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com" };
 * ```
 */
export interface GetOrCreateSubOrganizationInput {
  client: Pick<TurnkeyFlowsClient, "getSubOrgIds" | "createSubOrganization">;
  parentOrganizationId: string;
  /** Which kind of contact `contact` is: an email (OTP_TYPE_EMAIL) or a phone number (OTP_TYPE_SMS). */
  otpType: OtpType;
  contact: string;
  /** Name of the root user when one is created. Default: the contact. */
  userName?: string;
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
 * Finds the sub-organization whose user has this email or phone number (`getSubOrgIds` with
 * filterType EMAIL or PHONE_NUMBER), or creates one with a root user holding that contact and no
 * credentials (OTP login adds the session key). When several match, the first (oldest) is used.
 *
 * @example
 * ```ts
 * const { subOrganizationId, created } = await getOrCreateSubOrganization({
 *   client, parentOrganizationId, otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com",
 * });
 * ```
 */
export function getOrCreateSubOrganization(input: GetOrCreateSubOrganizationInput): Promise<GetOrCreateSubOrganizationResult> {
  requireObject(input, "input");
  const client = requireClient(input.client, "getSubOrgIds", "createSubOrganization");
  const parentOrganizationId = requireString(input.parentOrganizationId, "parentOrganizationId");
  const otpType = requireOtpType(input.otpType);
  const contact = requireContact(input.contact, otpType);
  const userName = optionalString(input.userName, "userName") ?? contact;
  const timeoutMs = resolveTimeout(input.timeoutMs);
  const key = `${parentOrganizationId}\u0000${otpType}\u0000${otpType === "OTP_TYPE_EMAIL" ? contact.toLowerCase() : contact}`;
  let pending = pendingByClient.get(client);
  if (pending === undefined) {
    pending = new Map();
    pendingByClient.set(client, pending);
  }
  const running = pending.get(key);
  if (running !== undefined) return running;
  const started = findOrCreate(client, parentOrganizationId, otpType, contact, userName, timeoutMs).finally(() => pending.delete(key));
  pending.set(key, started);
  return started;
}

async function findOrCreate(
  client: GetOrCreateSubOrganizationInput["client"],
  parentOrganizationId: string,
  otpType: OtpType,
  contact: string,
  userName: string,
  timeoutMs: number,
): Promise<GetOrCreateSubOrganizationResult> {
  const found = await callTurnkey("find sub-organization", timeoutMs, () =>
    client.getSubOrgIds({ organizationId: parentOrganizationId, filterType: otpType === "OTP_TYPE_EMAIL" ? "EMAIL" : "PHONE_NUMBER", filterValue: contact }),
  );
  if (!Array.isArray(found?.organizationIds)) throw badResponse("find sub-organization", "no organizationIds");
  const existing = found.organizationIds.find((id) => typeof id === "string" && id.length > 0);
  if (existing !== undefined) return { subOrganizationId: existing, created: false };
  const created = await callTurnkey("create sub-organization", timeoutMs, () =>
    client.createSubOrganization({
      organizationId: parentOrganizationId,
      subOrganizationName: userName,
      rootQuorumThreshold: 1,
      rootUsers: [
        {
          userName,
          ...(otpType === "OTP_TYPE_EMAIL" ? { userEmail: contact } : { userPhoneNumber: contact }),
          apiKeys: [],
          authenticators: [],
          oauthProviders: [],
        },
      ],
    }),
  );
  if (typeof created?.subOrganizationId !== "string" || created.subOrganizationId.length === 0) throw badResponse("create sub-organization", "no subOrganizationId");
  return { subOrganizationId: created.subOrganizationId, created: true };
}
