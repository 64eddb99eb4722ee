import { randomUUID } from "node:crypto";
import { notFound } from "./api-error.js";

/** A credential a user can stamp requests with: an API key, or a login (session) key from otp/stamp login. */
export interface ApiKeyRecord {
  readonly apiKeyId: string;
  readonly apiKeyName: string;
  readonly publicKey: string;
  readonly curveType: string;
  readonly credentialType:
    | "CREDENTIAL_TYPE_API_KEY_P256"
    | "CREDENTIAL_TYPE_API_KEY_SECP256K1"
    | "CREDENTIAL_TYPE_API_KEY_ED25519"
    | "CREDENTIAL_TYPE_LOGIN"
    | "CREDENTIAL_TYPE_READ_WRITE_SESSION_KEY_P256";
  readonly createdAtMs: number;
  /** Absent: never expires. */
  readonly expiresAtMs?: number;
  readonly expirationSeconds?: string;
}

/**
 * A passkey: its credential public key and relying party come from the attestation (its statement,
 * the authenticator's own certificate, is not verified, as with Turnkey's default "none" format).
 */
export interface AuthenticatorRecord {
  readonly authenticatorId: string;
  readonly authenticatorName: string;
  /** base64url without padding. */
  readonly credentialId: string;
  /** The credential's ES256 public key, compressed P-256 hex. */
  readonly publicKey: string;
  /** SHA-256 of the relying party id, hex: every assertion must name the same one. */
  readonly rpIdHash: string;
  readonly transports: readonly string[];
  readonly challenge: string;
  readonly createdAtMs: number;
}

export interface UserRecord {
  readonly userId: string;
  userName: string;
  userEmail?: string;
  userPhoneNumber?: string;
  emailVerified: boolean;
  phoneVerified: boolean;
  apiKeys: ApiKeyRecord[];
  authenticators: AuthenticatorRecord[];
  oauthProviders: unknown[];
  readonly createdAtMs: number;
  updatedAtMs: number;
}

/** An account of a wallet: its parameters, and a placeholder address (no keys exist in the emulator). */
export interface WalletAccountRecord {
  readonly walletAccountId: string;
  readonly curve: string;
  readonly pathFormat: string;
  readonly path: string;
  readonly addressFormat: string;
  readonly address: string;
  readonly name?: string;
  readonly createdAtMs: number;
}

/** A wallet created with a sub-organization. */
export interface WalletRecord {
  readonly walletId: string;
  readonly walletName: string;
  readonly accounts: readonly WalletAccountRecord[];
  readonly createdAtMs: number;
}

export interface OrganizationRecord {
  readonly organizationId: string;
  readonly name: string;
  /** Set for sub-organizations: Turnkey nests one level only. */
  readonly parentOrganizationId?: string;
  readonly users: Map<string, UserRecord>;
  readonly subOrganizationIds: string[];
  readonly wallets: WalletRecord[];
  readonly createdAtMs: number;
}

/** Who a stamping key belongs to. */
export interface KeyOwner {
  readonly organizationId: string;
  readonly userId: string;
  readonly apiKey: ApiKeyRecord;
}

/** Who a passkey belongs to. */
export interface CredentialOwner {
  readonly organizationId: string;
  readonly userId: string;
  readonly authenticator: AuthenticatorRecord;
}

/** Parameters of a user to create. */
export interface NewUser {
  userName: string;
  userEmail?: string | undefined;
  userPhoneNumber?: string | undefined;
  apiKeys?: readonly Omit<ApiKeyRecord, "apiKeyId" | "createdAtMs">[];
  authenticators?: readonly Omit<AuthenticatorRecord, "authenticatorId" | "createdAtMs">[];
  oauthProviders?: readonly unknown[];
}

/** Expiring API keys (session keys) a user may hold at once, as at Turnkey. */
const MAX_EXPIRING_KEYS = 10;

const CREDENTIAL_BY_CURVE: Readonly<Record<string, ApiKeyRecord["credentialType"]>> = {
  API_KEY_CURVE_P256: "CREDENTIAL_TYPE_API_KEY_P256",
  API_KEY_CURVE_SECP256K1: "CREDENTIAL_TYPE_API_KEY_SECP256K1",
  API_KEY_CURVE_ED25519: "CREDENTIAL_TYPE_API_KEY_ED25519",
};

/** The credential type Turnkey reports for an API key of `curveType`. */
export function credentialTypeOf(curveType: string): ApiKeyRecord["credentialType"] | undefined {
  return CREDENTIAL_BY_CURVE[curveType];
}

/**
 * The emulator's state: organizations (parents and their sub-organizations), users, and an index
 * from public key to the users whose credential it is. In memory only.
 */
export class EmulatorStore {
  readonly organizations = new Map<string, OrganizationRecord>();
  readonly #owners = new Map<string, KeyOwner[]>();
  readonly #credentials = new Map<string, CredentialOwner[]>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  createOrganization(input: { organizationId?: string; name: string; parentOrganizationId?: string; rootUsers: readonly NewUser[] }): OrganizationRecord {
    const organizationId = input.organizationId ?? randomUUID();
    if (this.organizations.has(organizationId)) throw new TypeError(`organization ${organizationId} already exists`);
    const organization: OrganizationRecord = {
      organizationId,
      name: input.name,
      ...(input.parentOrganizationId === undefined ? {} : { parentOrganizationId: input.parentOrganizationId }),
      users: new Map(),
      subOrganizationIds: [],
      wallets: [],
      createdAtMs: this.#now(),
    };
    this.organizations.set(organizationId, organization);
    if (input.parentOrganizationId !== undefined) this.organization(input.parentOrganizationId).subOrganizationIds.push(organizationId);
    for (const user of input.rootUsers) this.addUser(organizationId, user);
    return organization;
  }

  /** The organization, or a Turnkey NOT_FOUND error. */
  organization(organizationId: string): OrganizationRecord {
    const organization = this.organizations.get(organizationId);
    if (organization === undefined) throw notFound(`organization not found: ${organizationId}`);
    return organization;
  }

  /** The user, or a Turnkey NOT_FOUND error. */
  user(organizationId: string, userId: string): UserRecord {
    const user = this.organization(organizationId).users.get(userId);
    if (user === undefined) throw notFound(`user not found: ${userId}`);
    return user;
  }

  addUser(organizationId: string, input: NewUser): UserRecord {
    const now = this.#now();
    const user: UserRecord = {
      userId: randomUUID(),
      userName: input.userName,
      ...(input.userEmail === undefined ? {} : { userEmail: input.userEmail }),
      ...(input.userPhoneNumber === undefined ? {} : { userPhoneNumber: input.userPhoneNumber }),
      emailVerified: false,
      phoneVerified: false,
      apiKeys: [],
      authenticators: [],
      oauthProviders: [...(input.oauthProviders ?? [])],
      createdAtMs: now,
      updatedAtMs: now,
    };
    this.organization(organizationId).users.set(user.userId, user);
    for (const apiKey of input.apiKeys ?? []) this.addApiKey(organizationId, user.userId, apiKey);
    for (const authenticator of input.authenticators ?? []) this.addAuthenticator(organizationId, user.userId, authenticator);
    return user;
  }

  addAuthenticator(organizationId: string, userId: string, input: Omit<AuthenticatorRecord, "authenticatorId" | "createdAtMs">): AuthenticatorRecord {
    const user = this.user(organizationId, userId);
    const authenticator: AuthenticatorRecord = { ...input, authenticatorId: randomUUID(), createdAtMs: this.#now() };
    user.authenticators.push(authenticator);
    user.updatedAtMs = this.#now();
    const owners = this.#credentials.get(authenticator.credentialId) ?? [];
    owners.push({ organizationId, userId, authenticator });
    this.#credentials.set(authenticator.credentialId, owners);
    return authenticator;
  }

  addApiKey(organizationId: string, userId: string, input: Omit<ApiKeyRecord, "apiKeyId" | "createdAtMs">): ApiKeyRecord {
    const user = this.user(organizationId, userId);
    if (input.expiresAtMs !== undefined) this.#makeRoomForExpiringKey(organizationId, user);
    const apiKey: ApiKeyRecord = { ...input, publicKey: input.publicKey.toLowerCase(), apiKeyId: randomUUID(), createdAtMs: this.#now() };
    user.apiKeys.push(apiKey);
    user.updatedAtMs = this.#now();
    const owners = this.#owners.get(apiKey.publicKey) ?? [];
    owners.push({ organizationId, userId, apiKey });
    this.#owners.set(apiKey.publicKey, owners);
    return apiKey;
  }

  removeApiKeys(organizationId: string, userId: string, keep: (apiKey: ApiKeyRecord) => boolean): void {
    const user = this.user(organizationId, userId);
    for (const apiKey of user.apiKeys.filter((candidate) => !keep(candidate))) this.#forget(apiKey);
    user.apiKeys = user.apiKeys.filter(keep);
  }

  /** Removes the credential `publicKey` from every user of the organization; `false` if none had it. */
  deleteApiKey(organizationId: string, publicKey: string): boolean {
    const wanted = publicKey.toLowerCase();
    let deleted = false;
    for (const user of this.organizations.get(organizationId)?.users.values() ?? []) {
      if (!user.apiKeys.some((apiKey) => apiKey.publicKey === wanted)) continue;
      this.removeApiKeys(organizationId, user.userId, (apiKey) => apiKey.publicKey !== wanted);
      deleted = true;
    }
    return deleted;
  }

  deleteUser(organizationId: string, userId: string): boolean {
    const organization = this.organizations.get(organizationId);
    const user = organization?.users.get(userId);
    if (organization === undefined || user === undefined) return false;
    for (const apiKey of user.apiKeys) this.#forget(apiKey);
    for (const authenticator of user.authenticators) {
      const remaining = (this.#credentials.get(authenticator.credentialId) ?? []).filter((owner) => owner.authenticator !== authenticator);
      if (remaining.length === 0) this.#credentials.delete(authenticator.credentialId);
      else this.#credentials.set(authenticator.credentialId, remaining);
    }
    organization.users.delete(userId);
    return true;
  }

  /** Every user with the passkey `credentialId` (base64url without padding). */
  credentialOwners(credentialId: string): readonly CredentialOwner[] {
    return this.#credentials.get(credentialId) ?? [];
  }

  /** Every user whose credential `publicKey` is. */
  ownersOf(publicKey: string): readonly KeyOwner[] {
    return this.#owners.get(publicKey) ?? [];
  }

  /**
   * Whether a credential of `ownerOrganizationId` may act on `targetOrganizationId`: its own
   * organization, or one of its sub-organizations (a parent reads and runs auth activities on its
   * sub-organizations). Never the other way round, never across parents.
   */
  canAccess(ownerOrganizationId: string, targetOrganizationId: string): boolean {
    if (ownerOrganizationId === targetOrganizationId) return true;
    return this.organizations.get(targetOrganizationId)?.parentOrganizationId === ownerOrganizationId;
  }

  /**
   * Turnkey keeps at most 10 expiring API keys per user: creating one more deletes an expired one
   * first, else the oldest unexpired (docs: authentication/sessions, "How many session keys can be
   * active at once?").
   */
  #makeRoomForExpiringKey(organizationId: string, user: UserRecord): void {
    const expiring = user.apiKeys.filter((apiKey) => apiKey.expiresAtMs !== undefined);
    if (expiring.length < MAX_EXPIRING_KEYS) return;
    const now = this.#now();
    const doomed = expiring.find((apiKey) => (apiKey.expiresAtMs as number) <= now) ?? expiring.reduce((oldest, apiKey) => (apiKey.createdAtMs < oldest.createdAtMs ? apiKey : oldest));
    this.removeApiKeys(organizationId, user.userId, (apiKey) => apiKey !== doomed);
  }

  #forget(apiKey: ApiKeyRecord): void {
    const remaining = (this.#owners.get(apiKey.publicKey) ?? []).filter((owner) => owner.apiKey !== apiKey);
    if (remaining.length === 0) this.#owners.delete(apiKey.publicKey);
    else this.#owners.set(apiKey.publicKey, remaining);
  }
}
