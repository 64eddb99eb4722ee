import { randomUUID } from "node:crypto";
import { createTestNotarizer, type TestNotarizer } from "../test-notarizer.js";
import { authProxyConfigOf, authProxyRoutes, type EmulatorAuthProxyOptions } from "./auth-proxy.js";
import { createAuthenticatorsRoute } from "./authenticators.js";
import { BoundedMap, capacityOption } from "./bounded.js";
import type { EmulatorServices, Route } from "./context.js";
import { CorsPolicy, type EmulatorCorsOptions } from "./cors.js";
import type { EmulatorFaults } from "./faults.js";
import { generateP256KeyPairHex, privateKeyFromHex, type P256KeyPairHex } from "./keys.js";
import { oauthLoginRoute } from "./oauth.js";
import { createOidcIssuer, type OidcIssuer } from "./oidc-issuer.js";
import { otpLoginRoute, initOtpRoute, verifyOtpRoute } from "./otp-activities.js";
import { OtpService, type EmulatorSentOtp } from "./otp.js";
import { getActivity, getApiKeys, getUser, getUsers, listSubOrganizations, listVerifiedSubOrganizations, whoami } from "./queries.js";
import { EmulatorHttpServer, type EmulatorRequestRecord } from "./server.js";
import { createReadOnlySessionRoute, createReadWriteSessionRoute, deleteApiKeysRoute } from "./session-activities.js";
import { stampLoginRoute } from "./stamp-login.js";
import { EmulatorStore, type OrganizationRecord } from "./store.js";
import { createSubOrganizationRoute } from "./sub-organizations.js";
import { listWalletAccounts, listWallets } from "./wallets.js";
import { WEBHOOK_JWKS_CACHE_CONTROL, WEBHOOK_JWKS_PATH, WebhookSender, type EmulatorWebhookDelivery, type EmulatorWebhookOptions } from "./webhooks.js";

/**
 * Options of {@link startTurnkeyEmulator}.
 *
 * @example
 * ```ts
 * const emulator = await startTurnkeyEmulator({ port: 8787, requestLogSize: 10_000, parentOrganization: { organizationId: "local-org", apiKey } } satisfies StartTurnkeyEmulatorOptions);
 * ```
 */
export interface StartTurnkeyEmulatorOptions {
  /** Port on 127.0.0.1. Default 0: any free port (read `emulator.apiBaseUrl`). */
  port?: number;
  /** The key that signs sessions. Default: a fresh {@link createTestNotarizer}. */
  notarizer?: TestNotarizer;
  /** The parent organization (your Turnkey organization). Default: fresh id and API key. */
  parentOrganization?: {
    organizationId?: string;
    name?: string;
    /** Name of its root user, who owns the API key. */
    userName?: string;
    /** Its API key, e.g. to match a `.env` file. Default: generated at start. */
    apiKey?: P256KeyPairHex;
  };
  /** The emulator's clock (ms since the epoch) for expiries it issues and checks. Default `Date.now`. */
  now?: () => number;
  /** How many requests {@link TurnkeyEmulator.requests} keeps: the latest ones. Default 1,000. */
  requestLogSize?: number;
  /**
   * Most OTP codes kept at once, and as many verification tokens. Each is forgotten when it
   * expires (`expirationSeconds`), or, the bound reached, when a newer one is issued. Default 1,000.
   */
  maxOtps?: number;
  /** Most completed activities kept for `get_activity`: the latest ones. Default 1,000. */
  maxActivities?: number;
  /**
   * Which browser origins may call the emulator (answers carry `Access-Control-Allow-Origin`, and
   * `OPTIONS` preflights are answered). Default `{ allowedOrigins: "localhost" }`: pages served
   * from localhost, 127.0.0.1 or [::1] on any port.
   */
  cors?: EmulatorCorsOptions;
  /**
   * The emulated Auth Proxy (`/v1/otp_init_v2`, `/v1/signup_v2`, … on the same port), for
   * `@turnkey/core`'s `authProxyUrl` and `authProxyConfigId`. Default: a random config id, 6-digit codes.
   */
  authProxy?: EmulatorAuthProxyOptions;
  /** Called with each OTP code as it is "sent" (the emulator sends no email or SMS); what it throws is ignored. */
  onOtpSent?: (otp: EmulatorSentOtp) => void;
  /** Deliver signed webhooks (`ACTIVITY_UPDATES`) for every completed activity to this endpoint. Default: none sent. */
  webhooks?: EmulatorWebhookOptions;
}

/**
 * An organization created in the emulator, with the API key of its root user.
 *
 * @example
 * ```ts
 * const other: EmulatorOrganization = emulator.createOrganization({ name: "Another customer" });
 * const otherClient = new Turnkey({ apiBaseUrl: emulator.apiBaseUrl, apiPublicKey: other.apiKey.publicKey, apiPrivateKey: other.apiKey.privateKey, defaultOrganizationId: other.organizationId }).apiClient();
 * ```
 */
export interface EmulatorOrganization {
  readonly organizationId: string;
  readonly name: string;
  readonly userId: string;
  readonly apiKey: P256KeyPairHex;
}

/**
 * A read-only copy of an organization's state, for assertions.
 *
 * @example
 * ```ts
 * const snapshot: EmulatorOrganizationSnapshot | undefined = emulator.organization(subOrganizationId);
 * expect(snapshot?.users[0]?.authenticators).toHaveLength(1);
 * ```
 */
export interface EmulatorOrganizationSnapshot {
  readonly organizationId: string;
  readonly name: string;
  readonly parentOrganizationId?: string;
  readonly subOrganizationIds: readonly string[];
  readonly users: readonly {
    readonly userId: string;
    readonly userName: string;
    readonly userEmail?: string;
    readonly userPhoneNumber?: string;
    readonly emailVerified: boolean;
    readonly phoneVerified: boolean;
    readonly apiKeys: readonly { readonly apiKeyName: string; readonly publicKey: string; readonly credentialType: string; readonly expiresAtMs?: number }[];
    readonly authenticators: readonly {
      readonly authenticatorName: string;
      readonly credentialId: string;
      readonly challenge: string;
      /** The passkey's public key from its attestation, compressed P-256 hex. */
      readonly publicKey: string;
    }[];
  }[];
}

/**
 * A running local Turnkey API emulator. See {@link startTurnkeyEmulator}.
 *
 * @example
 * ```ts
 * const emulator = await startTurnkeyEmulator();
 * const client = new Turnkey({
 *   apiBaseUrl: emulator.apiBaseUrl,
 *   apiPublicKey: emulator.apiKey.publicKey,
 *   apiPrivateKey: emulator.apiKey.privateKey,
 *   defaultOrganizationId: emulator.parentOrganizationId,
 * }).apiClient();
 * await emulator.close();
 * ```
 */
export interface TurnkeyEmulator {
  /** `http://127.0.0.1:<port>`: pass it as the SDK's `apiBaseUrl` (`baseUrl` for `@turnkey/http`). */
  readonly apiBaseUrl: string;
  readonly port: number;
  /** The key session JWTs are signed with (uncompressed hex): the verifier's `notarizerPublicKey`. */
  readonly notarizerPublicKey: string;
  /**
   * The key that signs OTP encryption-target bundles and verification tokens (uncompressed hex):
   * `dangerouslyOverrideSignerPublicKey` of `@turnkey/crypto`'s `encryptOtpCodeToBundle` and
   * `verifyOtpVerificationToken`. Turnkey's production equivalent is `PRODUCTION_TLS_FETCHER_SIGN_PUBLIC_KEY`.
   */
  readonly otpSignerPublicKey: string;
  /**
   * A local OIDC provider the emulator trusts for OAuth login and OAuth providers:
   * `emulator.oidcIssuer.sign({ sub, aud, nonce: oauthNonceOf(publicKey) })` mints an ID token.
   */
  readonly oidcIssuer: OidcIssuer;
  /** The parent organization's id. */
  readonly parentOrganizationId: string;
  /** `@turnkey/core`'s `authProxyUrl`: the emulator answers Turnkey's Auth Proxy endpoints on its own port. */
  readonly authProxyUrl: string;
  /** `@turnkey/core`'s `authProxyConfigId`: the `X-Auth-Proxy-Config-ID` the emulated proxy accepts. */
  readonly authProxyConfigId: string;
  /** The parent organization's API key: accepted for the parent and its sub-organizations. */
  readonly apiKey: P256KeyPairHex;
  /** Fault injection: `await emulator.faults.set({ kind: "down" })`, `await emulator.faults.clear()`. */
  readonly faults: EmulatorFaults;
  /**
   * The latest requests received (at most `requestLogSize`, default 1,000), oldest first: a copy
   * taken when read. Count calls as a difference of two reads only within that window.
   */
  readonly requests: readonly EmulatorRequestRecord[];
  /** The last OTP code "sent" to `contact` (email or phone), or `undefined` (none, or expired). */
  lastOtp(contact: string): string | undefined;
  /** Creates another top-level organization (another Turnkey customer) with its own API key. */
  createOrganization(options?: { name?: string; userName?: string }): EmulatorOrganization;
  /** A snapshot of an organization, or `undefined` if there is none with that id. */
  organization(organizationId: string): EmulatorOrganizationSnapshot | undefined;
  /** Deletes a user (and its credentials), as removing a user in Turnkey does. `false` if absent. */
  deleteUser(organizationId: string, userId: string): boolean;
  /**
   * Deletes an API key (by its public key) from the organization's users, as DELETE_API_KEYS does:
   * every request stamped with it is then refused, like a key Turnkey never knew (16
   * unauthenticated). `false` if no user of the organization had it.
   */
  deleteApiKey(organizationId: string, publicKey: string): boolean;
  /** The emulator's webhook JWKS (`/public/v1/discovery/webhooks/jwks`): the `jwksUrl` of the webhook helpers. */
  readonly webhookJwksUrl: string;
  /** The latest webhook events delivered (at most 1,000), oldest first, each once its attempts ended. */
  readonly webhookDeliveries: readonly EmulatorWebhookDelivery[];
  /** Resolves once every webhook delivery under way has ended. */
  webhooksSettled(): Promise<void>;
  /** Delivers any event (e.g. `BALANCE_CONFIRMED_UPDATES`) to the `webhooks` endpoint, signed like activity updates. */
  sendWebhook(eventType: string, organizationId: string, payload: unknown): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ["/public/v1/query/get_user", getUser],
  ["/public/v1/query/list_users", getUsers],
  ["/public/v1/query/list_suborgs", listSubOrganizations],
  ["/public/v1/query/list_verified_suborgs", listVerifiedSubOrganizations],
  ["/public/v1/query/whoami", whoami],
  ["/public/v1/query/get_activity", getActivity],
  ["/public/v1/query/get_api_keys", getApiKeys],
  ["/public/v1/query/list_wallets", listWallets],
  ["/public/v1/query/list_wallet_accounts", listWalletAccounts],
  ["/public/v1/submit/create_authenticators", createAuthenticatorsRoute],
  ["/public/v1/submit/create_read_only_session", createReadOnlySessionRoute],
  ["/public/v1/submit/create_read_write_session", createReadWriteSessionRoute],
  ["/public/v1/submit/delete_api_keys", deleteApiKeysRoute],
  ["/public/v1/submit/create_sub_organization", createSubOrganizationRoute],
  ["/public/v1/submit/init_otp", initOtpRoute],
  ["/public/v1/submit/verify_otp", verifyOtpRoute],
  ["/public/v1/submit/otp_login", otpLoginRoute],
  ["/public/v1/submit/oauth_login", oauthLoginRoute],
  ["/public/v1/submit/stamp_login", stampLoginRoute],
]);

function createRootOrganization(store: EmulatorStore, options: { organizationId?: string; name?: string; userName?: string; apiKey?: P256KeyPairHex }): EmulatorOrganization {
  const apiKey = options.apiKey ?? generateP256KeyPairHex();
  privateKeyFromHex(apiKey); // throws a TypeError if the pair does not match
  const organization = store.createOrganization({
    ...(options.organizationId === undefined ? {} : { organizationId: options.organizationId }),
    name: options.name ?? "Emulated organization",
    rootUsers: [
      {
        userName: options.userName ?? "Root user",
        apiKeys: [{ apiKeyName: "Backend API key", publicKey: apiKey.publicKey, curveType: "API_KEY_CURVE_P256", credentialType: "CREDENTIAL_TYPE_API_KEY_P256" }],
      },
    ],
  });
  const userId = [...organization.users.keys()][0] as string;
  return Object.freeze({ organizationId: organization.organizationId, name: organization.name, userId, apiKey: Object.freeze({ ...apiKey }) });
}

function snapshotOf(organization: OrganizationRecord): EmulatorOrganizationSnapshot {
  return structuredClone({
    organizationId: organization.organizationId,
    name: organization.name,
    ...(organization.parentOrganizationId === undefined ? {} : { parentOrganizationId: organization.parentOrganizationId }),
    subOrganizationIds: organization.subOrganizationIds,
    users: [...organization.users.values()].map((user) => ({
      userId: user.userId,
      userName: user.userName,
      ...(user.userEmail === undefined ? {} : { userEmail: user.userEmail }),
      ...(user.userPhoneNumber === undefined ? {} : { userPhoneNumber: user.userPhoneNumber }),
      emailVerified: user.emailVerified,
      phoneVerified: user.phoneVerified,
      apiKeys: user.apiKeys.map(({ apiKeyName, publicKey, credentialType, expiresAtMs }) => ({
        apiKeyName,
        publicKey,
        credentialType,
        ...(expiresAtMs === undefined ? {} : { expiresAtMs }),
      })),
      authenticators: user.authenticators.map(({ authenticatorName, credentialId, challenge, publicKey }) => ({ authenticatorName, credentialId, challenge, publicKey })),
    })),
  });
}

/**
 * Starts a local Turnkey API emulator: a real HTTP server on 127.0.0.1 that answers the endpoints
 * Turnkey's backend login flows and trust checks call, so `@turnkey/sdk-server`'s
 * `Turnkey(...).apiClient()` and `@turnkey/http`'s `TurnkeyClient` work against it unchanged.
 * A test and development tool: it keeps everything in memory and never contacts Turnkey. What
 * requests leave behind is bounded: the request log is a ring buffer (`requestLogSize`), OTPs and
 * verification tokens are forgotten when they expire and bounded in number (`maxOtps`), and so
 * are activities (`maxActivities`); organizations and users stay until deleted.
 *
 * Emulated: the three stamps, verified over the exact body: `X-Stamp` (API keys), `X-Stamp-Webauthn`
 * (passkeys, against the ES256 key read from their attestation) and `X-Stamp-Attested` (an OTP
 * verification token's key, on `stamp_login`), refused in Turnkey's words (the ones `@turnkey/core`
 * maps to `SESSION_EXPIRED` included); parent/sub-organization access (a parent's key reads and logs
 * in users of its own sub-organizations, never of another parent's; a passkey or OTP login naming
 * the parent acts on the sub-organization holding the passkey or verified contact); queries
 * `get_user`, `list_users`, `list_suborgs`, `list_verified_suborgs`, `whoami`, `get_activity`,
 * `get_api_keys`, `list_wallets`, `list_wallet_accounts`; activities `create_sub_organization` (V7,
 * V8, with OAuth providers), `create_authenticators` (V2), `init_otp` (V3), `verify_otp` and `otp_login` (V2 and the
 * legacy types `@turnkey/core` sends), `stamp_login`, `create_read_only_session`,
 * `create_read_write_session` (V2), `delete_api_keys`, `oauth_login` (OIDC tokens of `oidcIssuer`, and `list_suborgs` by
 * `OIDC_TOKEN`); Turnkey's Auth Proxy on the same port (`authProxyUrl`,
 * `authProxyConfigId`); CORS for browser pages (`cors`); session JWTs in Turnkey's exact scheme,
 * signed by its own notarizer, with `exp` honouring `expirationSeconds`; webhooks: every completed
 * activity delivered as a signed `ACTIVITY_UPDATES` to `webhooks.url` (retrying 5xx and network
 * errors, as Turnkey does), and the webhook JWKS at `webhookJwksUrl`.
 *
 * Not emulated: attestation statements and non-ES256 passkeys, keys and signing (wallet accounts
 * have placeholder addresses), policies and consensus (every activity completes at once), other
 * endpoints and older activity versions, email and SMS delivery (read codes with `lastOtp` or
 * `onOtpSent`), rate limits, OIDC providers other than `oidcIssuer`, wallet logins, session profiles (a `sessionProfileId` is
 * refused as unknown), and the `timestampMs` freshness window. docs/emulator.md lists what
 * Turnkey's frontend SDKs can do against it.
 *
 * @example
 * ```ts
 * import { startTurnkeyEmulator } from "turnkey-session-auth/testing";
 * import { Turnkey } from "@turnkey/sdk-server";
 *
 * const emulator = await startTurnkeyEmulator();
 * const client = new Turnkey({
 *   apiBaseUrl: emulator.apiBaseUrl,
 *   apiPublicKey: emulator.apiKey.publicKey,
 *   apiPrivateKey: emulator.apiKey.privateKey,
 *   defaultOrganizationId: emulator.parentOrganizationId,
 * }).apiClient();
 * const { otpId } = await client.initOtp({ otpType: "OTP_TYPE_EMAIL", contact: "ada@example.com", appName: "demo" });
 * emulator.lastOtp("ada@example.com"); // the code the user would have received
 * await emulator.close();
 * ```
 */
export async function startTurnkeyEmulator(options: StartTurnkeyEmulatorOptions = {}): Promise<TurnkeyEmulator> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError("startTurnkeyEmulator: port must be a whole number from 0 to 65535");
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw new TypeError("startTurnkeyEmulator: now must be a function returning milliseconds");
  const requestLogSize = capacityOption(options.requestLogSize, "requestLogSize", 1000);
  const maxOtps = capacityOption(options.maxOtps, "maxOtps", 1000);
  const maxActivities = capacityOption(options.maxActivities, "maxActivities", 1000);
  if (options.onOtpSent !== undefined && typeof options.onOtpSent !== "function") throw new TypeError("startTurnkeyEmulator: onOtpSent must be a function");
  const cors = new CorsPolicy(options.cors);
  const authProxy = authProxyConfigOf(options.authProxy, randomUUID);
  const store = new EmulatorStore(now);
  const oidcIssuer = createOidcIssuer({ now });
  const services: EmulatorServices = {
    store,
    otp: new OtpService(now, maxOtps, options.onOtpSent),
    notarizer: options.notarizer ?? createTestNotarizer(),
    oidcIssuers: [oidcIssuer],
    now,
    activities: new BoundedMap(maxActivities),
    webhooks: new WebhookSender(options.webhooks, now),
  };
  const parent = createRootOrganization(store, { name: "Parent organization", userName: "Backend", ...options.parentOrganization });
  const server = new EmulatorHttpServer({
    services,
    routes: ROUTES,
    authProxy: { config: authProxy, routes: authProxyRoutes(authProxy), caller: { organizationId: parent.organizationId, userId: parent.userId } },
    requestLogSize,
    cors,
    documents: new Map([[WEBHOOK_JWKS_PATH, () => ({ body: services.webhooks.jwks(), cacheControl: WEBHOOK_JWKS_CACHE_CONTROL })]]),
  });
  await server.listen(port);
  const apiBaseUrl = `http://127.0.0.1:${server.port}`;

  return {
    apiBaseUrl,
    port: server.port,
    notarizerPublicKey: services.notarizer.publicKey,
    otpSignerPublicKey: services.otp.signerPublicKey,
    oidcIssuer,
    parentOrganizationId: parent.organizationId,
    authProxyUrl: apiBaseUrl,
    authProxyConfigId: authProxy.configId,
    apiKey: parent.apiKey,
    faults: {
      set: (fault) => server.set(fault),
      clear: () => server.clear(),
      get current() {
        return server.current;
      },
    },
    get requests() {
      return server.log.toArray();
    },
    lastOtp: (contact) => services.otp.lastCode(contact),
    createOrganization: (organization = {}) => createRootOrganization(store, { name: "Another organization", ...organization }),
    organization(organizationId) {
      const organization = store.organizations.get(organizationId);
      return organization === undefined ? undefined : snapshotOf(organization);
    },
    deleteUser: (organizationId, userId) => store.deleteUser(organizationId, userId),
    deleteApiKey: (organizationId, publicKey) => store.deleteApiKey(organizationId, publicKey),
    webhookJwksUrl: `${apiBaseUrl}${WEBHOOK_JWKS_PATH}`,
    get webhookDeliveries() {
      return services.webhooks.deliveries;
    },
    webhooksSettled: () => services.webhooks.settled(),
    sendWebhook: (eventType, organizationId, payload) => services.webhooks.send(eventType, organizationId, payload),
    close: async () => {
      await server.close();
      await services.webhooks.settled();
    },
  };
}
