import { normalizeContact } from "./otp.js";
import type { EmulatorStore, UserRecord } from "./store.js";

/**
 * Whether `user` has the contact an OTP was sent to (`OTP_TYPE_EMAIL`: email, compared without
 * case; otherwise phone number), and with `verifiedOnly`, has it verified.
 */
export function hasContact(user: UserRecord, verificationType: string, contact: string, verifiedOnly: boolean): boolean {
  const wanted = normalizeContact(contact);
  if (verificationType === "OTP_TYPE_EMAIL") {
    return user.userEmail !== undefined && normalizeContact(user.userEmail) === wanted && (!verifiedOnly || user.emailVerified);
  }
  return user.userPhoneNumber !== undefined && user.userPhoneNumber === wanted && (!verifiedOnly || user.phoneVerified);
}

/** Records the contact of an OTP as verified on `user` (Turnkey does when a verification token is consumed). */
export function markContactVerified(user: UserRecord, verificationType: string): void {
  if (verificationType === "OTP_TYPE_EMAIL") user.emailVerified = true;
  else user.phoneVerified = true;
}

/** The sub-organizations of `parentOrganizationId` where a user has the contact verified, oldest first, with that user. */
export function verifiedHoldersOf(store: EmulatorStore, parentOrganizationId: string, verificationType: string, contact: string): { organizationId: string; user: UserRecord }[] {
  return store.organization(parentOrganizationId).subOrganizationIds.flatMap((organizationId) => {
    const user = [...store.organization(organizationId).users.values()].find((candidate) => hasContact(candidate, verificationType, contact, true));
    return user === undefined ? [] : [{ organizationId, user }];
  });
}
