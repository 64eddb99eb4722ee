import type { ClientSignature, RootUser, TurnkeyFlowsClient } from "./client.js";
import { badResponse, callTurnkey } from "./turnkey-call.js";

/** What {@link createSubOrganization} sends: one root user, a quorum of 1, and the contact's proof when there is one. */
export interface NewSubOrganization {
  parentOrganizationId: string;
  name: string;
  rootUser: RootUser;
  /** Makes Turnkey record the root user's contact as verified (see `CreateSubOrganizationRequest`). */
  verification?: { verificationToken: string; clientSignature: ClientSignature };
  timeoutMs: number;
  /** The message when Turnkey refuses the request. */
  rejected: string;
}

/** Creates a sub-organization of one root user; its id and that user's id (when Turnkey gives it). */
export async function createSubOrganization(
  client: Pick<TurnkeyFlowsClient, "createSubOrganization">,
  request: NewSubOrganization,
): Promise<{ subOrganizationId: string; rootUserId: string | undefined }> {
  const { parentOrganizationId, name, rootUser, verification, timeoutMs, rejected } = request;
  const created = await callTurnkey(
    "create sub-organization",
    timeoutMs,
    () => client.createSubOrganization({ organizationId: parentOrganizationId, subOrganizationName: name, rootQuorumThreshold: 1, rootUsers: [rootUser], ...verification }),
    { rejected },
  );
  const subOrganizationId = created?.subOrganizationId;
  if (typeof subOrganizationId !== "string" || subOrganizationId.length === 0) throw badResponse("create sub-organization", "no subOrganizationId");
  const rootUserId = created.rootUserIds?.[0];
  return { subOrganizationId, rootUserId: typeof rootUserId === "string" && rootUserId.length > 0 ? rootUserId : undefined };
}
