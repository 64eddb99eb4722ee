/**
 * The parts of `@turnkey/sdk-server`'s API client (`new Turnkey({...}).apiClient()`) the flow
 * helpers call, typed structurally so this package never loads the SDK itself: pass the SDK's
 * client, or any object with the same methods (a fake in unit tests). Each helper asks only for
 * the methods it uses.
 *
 * @example
 * ```ts
 * import { Turnkey } from "@turnkey/sdk-server";
 * const client: TurnkeyFlowsClient = new Turnkey({ apiBaseUrl, apiPublicKey, apiPrivateKey, defaultOrganizationId }).apiClient();
 * ```
 */
export interface TurnkeyFlowsClient {
  getUser(input: { organizationId: string; userId: string }): Promise<{ user?: { userId?: string } }>;
  /** Sub-organizations whose user has this email or phone number **verified** (`/public/v1/query/list_verified_suborgs`). */
  getVerifiedSubOrgIds(input: { organizationId: string; filterType: "EMAIL" | "PHONE_NUMBER"; filterValue: string }): Promise<{ organizationIds?: string[] }>;
  getWhoami(input: { organizationId: string }): Promise<{ organizationId?: string }>;
  createSubOrganization(input: CreateSubOrganizationRequest): Promise<{ subOrganizationId?: string; rootUserIds?: string[] }>;
  initOtp(input: InitOtpRequest): Promise<{ otpId?: string; otpEncryptionTargetBundle?: string }>;
  verifyOtp(input: { organizationId: string; otpId: string; encryptedOtpBundle: string; expirationSeconds?: string }): Promise<{ verificationToken?: string }>;
  otpLogin(input: OtpLoginRequest): Promise<{ session?: string }>;
  /** Sub-organizations of the parent; with `filterType: "OIDC_TOKEN"`, those whose user logs in with that token's identity (iss, sub, aud). */
  getSubOrgIds(input: { organizationId: string; filterType: "OIDC_TOKEN"; filterValue: string }): Promise<{ organizationIds?: string[] }>;
  oauthLogin(input: OauthLoginRequest): Promise<{ session?: string }>;
}

/**
 * WebAuthn transports, as Turnkey names them.
 *
 * @example
 * ```ts
 * const transports: AuthenticatorTransport[] = ["AUTHENTICATOR_TRANSPORT_INTERNAL", "AUTHENTICATOR_TRANSPORT_HYBRID"];
 * ```
 */
export type AuthenticatorTransport =
  | "AUTHENTICATOR_TRANSPORT_BLE"
  | "AUTHENTICATOR_TRANSPORT_INTERNAL"
  | "AUTHENTICATOR_TRANSPORT_NFC"
  | "AUTHENTICATOR_TRANSPORT_USB"
  | "AUTHENTICATOR_TRANSPORT_HYBRID";

/**
 * A passkey attestation as the browser SDK produces it (Turnkey's `v1Attestation`).
 *
 * @example
 * ```ts
 * const attestation: PasskeyAttestation = { credentialId, clientDataJson, attestationObject, transports: ["AUTHENTICATOR_TRANSPORT_INTERNAL"] };
 * ```
 */
export interface PasskeyAttestation {
  credentialId: string;
  clientDataJson: string;
  attestationObject: string;
  transports: AuthenticatorTransport[];
}

/**
 * A client signature (Turnkey's `v1ClientSignature`): the key a verification token is bound to signs
 * what the token may be used for, a login (`USAGE_TYPE_LOGIN`) or a sign-up (`USAGE_TYPE_SIGNUP`).
 *
 * @example
 * ```ts
 * const clientSignature: ClientSignature = { publicKey, scheme: "CLIENT_SIGNATURE_SCHEME_API_P256", message, signature };
 * ```
 */
export interface ClientSignature {
  publicKey: string;
  scheme: "CLIENT_SIGNATURE_SCHEME_API_P256";
  message: string;
  signature: string;
}

/**
 * What the helpers send to `createSubOrganization` (CREATE_SUB_ORGANIZATION_V8). With
 * `verificationToken` and its `clientSignature` (`USAGE_TYPE_SIGNUP`), Turnkey records the token's
 * contact as verified; without them, a root user's email or phone number is recorded unverified.
 *
 * @example
 * ```ts
 * await client.createSubOrganization({ organizationId, subOrganizationName: "Ada", rootQuorumThreshold: 1, rootUsers: [{ userName: "Ada", apiKeys: [], authenticators: [], oauthProviders: [] }] } satisfies CreateSubOrganizationRequest);
 * ```
 */
export interface CreateSubOrganizationRequest {
  organizationId: string;
  subOrganizationName: string;
  rootQuorumThreshold: number;
  rootUsers: RootUser[];
  /** An OTP verification token of a root user's email or phone number. */
  verificationToken?: string;
  /** The token key's signature of the sign-up, required with `verificationToken`. */
  clientSignature?: ClientSignature;
}

/**
 * A root user of {@link CreateSubOrganizationRequest} (Turnkey's `v1RootUserParamsV5`), as the
 * helpers create it.
 *
 * @example
 * ```ts
 * const rootUser: RootUser = { userName: "Ada", userEmail: "ada@example.com", apiKeys: [], authenticators: [], oauthProviders: [] };
 * ```
 */
export interface RootUser {
  userName: string;
  userEmail?: string;
  userPhoneNumber?: string;
  apiKeys: { apiKeyName: string; publicKey: string; curveType: "API_KEY_CURVE_P256"; expirationSeconds?: string }[];
  authenticators: { authenticatorName: string; challenge: string; attestation: PasskeyAttestation }[];
  /** OAuth providers (Turnkey's `v1OauthProviderParams`): the OIDC identity the user logs in with. */
  oauthProviders: { providerName: string; oidcToken: string }[];
}

/**
 * What the helpers send to `initOtp` (INIT_OTP_V3).
 *
 * @example
 * ```ts
 * await client.initOtp({ organizationId, otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com", appName: "Acme" } satisfies InitOtpRequest);
 * ```
 */
export interface InitOtpRequest {
  organizationId: string;
  otpType: string;
  contact: string;
  appName: string;
  otpLength?: number;
  alphanumeric?: boolean;
  expirationSeconds?: string;
  userIdentifier?: string;
}

/**
 * What the helpers send to `otpLogin` (OTP_LOGIN_V2).
 *
 * @example
 * ```ts
 * await client.otpLogin({ organizationId: subOrganizationId, verificationToken, publicKey, clientSignature } satisfies OtpLoginRequest);
 * ```
 */
export interface OtpLoginRequest {
  organizationId: string;
  verificationToken: string;
  publicKey: string;
  clientSignature: ClientSignature;
  expirationSeconds?: string;
  invalidateExisting?: boolean;
}

/**
 * What the helpers send to `oauthLogin` (OAUTH_LOGIN).
 *
 * @example
 * ```ts
 * await client.oauthLogin({ organizationId: subOrganizationId, oidcToken, publicKey } satisfies OauthLoginRequest);
 * ```
 */
export interface OauthLoginRequest {
  organizationId: string;
  /** An OIDC ID token whose `nonce` is the lowercase hex SHA-256 of `publicKey`'s text. */
  oidcToken: string;
  publicKey: string;
  expirationSeconds?: string;
  invalidateExisting?: boolean;
}
