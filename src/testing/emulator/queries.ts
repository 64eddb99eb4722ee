import { invalidArgument, notFound } from "./api-error.js";
import type { Route } from "./context.js";
import { oidcTokenFilter } from "./oauth.js";
import { normalizeContact } from "./otp.js";
import { optionalString, requiredString } from "./params.js";
import type { OrganizationRecord, UserRecord } from "./store.js";
import { apiKeyView, userView } from "./views.js";

/** POST /public/v1/query/get_user `{ organizationId, userId }` → `{ user }`. */
export const getUser: Route = ({ store, organizationId, body }) => ({
  user: userView(store.user(organizationId, requiredString(body, "userId"))),
});

/** POST /public/v1/query/list_users (the SDK's `getUsers`) `{ organizationId }` → `{ users }`. */
export const getUsers: Route = ({ store, organizationId }) => ({
  users: [...store.organization(organizationId).users.values()].map(userView),
});

/**
 * POST /public/v1/query/get_api_keys `{ organizationId, userId? }` → `{ apiKeys }`: the user's API and
 * session keys; without `userId`, the caller's own.
 */
export const getApiKeys: Route = ({ store, organizationId, caller, body }) => {
  const userId = optionalString(body, "userId");
  const user = userId === undefined ? store.user(caller.organizationId, caller.userId) : store.user(organizationId, userId);
  return { apiKeys: user.apiKeys.map(apiKeyView) };
};

/** POST /public/v1/query/whoami `{ organizationId }` → the stamping key's organization and user. */
export const whoami: Route = ({ store, caller }) => {
  const organization = store.organization(caller.organizationId);
  const user = store.user(caller.organizationId, caller.userId);
  return { organizationId: organization.organizationId, organizationName: organization.name, userId: user.userId, username: user.userName };
};

/** POST /public/v1/query/get_activity `{ organizationId, activityId }` → `{ activity }`. */
export const getActivity: Route = ({ activities, organizationId, body }) => {
  const activityId = requiredString(body, "activityId");
  const stored = activities.get(activityId);
  if (stored === undefined || stored.organizationId !== organizationId) throw notFound(`activity not found: ${activityId}`);
  return stored.response;
};

type SubOrgFilter = (organization: OrganizationRecord, value: string) => boolean;

const anyUser = (organization: OrganizationRecord, matches: (user: UserRecord) => boolean) =>
  [...organization.users.values()].some(matches);

const FILTERS: Readonly<Record<string, SubOrgFilter>> = {
  EMAIL: (organization, value) => anyUser(organization, (user) => user.userEmail !== undefined && normalizeContact(user.userEmail) === normalizeContact(value)),
  PHONE_NUMBER: (organization, value) => anyUser(organization, (user) => user.userPhoneNumber === value.trim()),
  USERNAME: (organization, value) => anyUser(organization, (user) => user.userName === value),
  NAME: (organization, value) => organization.name === value,
  PUBLIC_KEY: (organization, value) => anyUser(organization, (user) => user.apiKeys.some((apiKey) => apiKey.publicKey === value.toLowerCase())),
  CREDENTIAL_ID: (organization, value) => anyUser(organization, (user) => user.authenticators.some((authenticator) => authenticator.credentialId === value)),
};

/**
 * POST /public/v1/query/list_suborgs (the SDK's `getSubOrgIds`) `{ organizationId, filterType?,
 * filterValue? }` → `{ organizationIds }`, oldest first; `OIDC_TOKEN` takes a token, verified, and
 * matches its identity (iss, sub, aud). Pagination options are accepted and ignored.
 */
export const listSubOrganizations: Route = (context) => {
  const { store, organizationId, body } = context;
  const filterType = optionalString(body, "filterType");
  const filterValue = optionalString(body, "filterValue");
  let filter: SubOrgFilter = () => true;
  if (filterType === "OIDC_TOKEN") {
    if (filterValue === undefined) throw invalidArgument("filterValue is required with filterType");
    filter = oidcTokenFilter(context, filterValue);
  } else if (filterType !== undefined) {
    const known = FILTERS[filterType];
    if (known === undefined) throw invalidArgument(`unsupported filterType ${filterType}; the emulator implements ${Object.keys(FILTERS).join(", ")}, OIDC_TOKEN`);
    if (filterValue === undefined) throw invalidArgument("filterValue is required with filterType");
    filter = known;
  }
  const organizationIds = store
    .organization(organizationId)
    .subOrganizationIds.map((id) => store.organization(id))
    .filter((organization) => filterValue === undefined || filter(organization, filterValue))
    .map((organization) => organization.organizationId);
  return { organizationIds };
};

const VERIFIED_FILTERS: Readonly<Record<string, SubOrgFilter>> = {
  EMAIL: (organization, value) =>
    anyUser(organization, (user) => user.emailVerified && user.userEmail !== undefined && normalizeContact(user.userEmail) === normalizeContact(value)),
  PHONE_NUMBER: (organization, value) => anyUser(organization, (user) => user.phoneVerified && user.userPhoneNumber === value.trim()),
};

/**
 * POST /public/v1/query/list_verified_suborgs (the SDK's `getVerifiedSubOrgIds`) `{ organizationId,
 * filterType, filterValue }` → `{ organizationIds }`, oldest first: only sub-organizations where a
 * user has that email or phone number **verified** (by an OTP login, or a verification token at
 * creation). Pagination options are accepted and ignored.
 */
export const listVerifiedSubOrganizations: Route = ({ store, organizationId, body }) => {
  const filterType = requiredString(body, "filterType");
  const filter = VERIFIED_FILTERS[filterType];
  if (filter === undefined) throw invalidArgument(`unsupported filterType ${filterType}; list_verified_suborgs filters by ${Object.keys(VERIFIED_FILTERS).join(" or ")}`);
  const filterValue = requiredString(body, "filterValue");
  const organizationIds = store
    .organization(organizationId)
    .subOrganizationIds.map((id) => store.organization(id))
    .filter((organization) => filter(organization, filterValue))
    .map((organization) => organization.organizationId);
  return { organizationIds };
};
