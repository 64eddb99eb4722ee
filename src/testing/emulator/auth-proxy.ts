// Turnkey's Auth Proxy, emulated on the emulator's own port: the endpoints @turnkey/core's
// high-level methods call with `authProxyUrl` and `authProxyConfigId` (no stamp: the proxy acts for
// the parent organization with its own key, as Turnkey's hosted proxy does).
import { invalidArgument, notFound, unauthenticated } from "./api-error.js";
import { verifiedHoldersOf } from "./contacts.js";
import type { Route, RouteContext } from "./context.js";
import { initOtp, otpLogin, verifyOtp } from "./otp-activities.js";
import { normalizeContact } from "./otp.js";
import { optionalString, requiredString } from "./params.js";
import { createSubOrganization } from "./sub-organizations.js";

/**
 * The emulated Auth Proxy configuration (what Turnkey's dashboard sets for a config id).
 *
 * @example
 * ```ts
 * const emulator = await startTurnkeyEmulator({ authProxy: { configId: "local-config", otpLength: 6, otpAlphanumeric: false } satisfies EmulatorAuthProxyOptions });
 * ```
 */
export interface EmulatorAuthProxyOptions {
  /** The id clients send as `X-Auth-Proxy-Config-ID` (`authProxyConfigId`). Default: a random UUID. */
  configId?: string;
  /** Length of OTP codes the proxy sends, 6 to 9. Default 6. */
  otpLength?: number;
  /** Whether OTP codes mix letters and digits. Default `false` (digits only). */
  otpAlphanumeric?: boolean;
  /** Length of sessions from `otp_login_v2`, in seconds. Default 900. */
  sessionExpirationSeconds?: number;
}

/** The checked configuration. */
export interface AuthProxyConfig {
  readonly configId: string;
  readonly otpLength: number;
  readonly otpAlphanumeric: boolean;
  readonly sessionExpirationSeconds: number;
}

// The providers the emulator serves: OTP by email and SMS, passkeys (no OAuth, no wallets).
const ENABLED_PROVIDERS = ["email", "sms", "passkey"];
const APP_NAME = "Turnkey emulator";
const CONFIG_ID_MAX_LENGTH = 256;

/** Checks the `authProxy` option; a `TypeError` naming it otherwise. */
export function authProxyConfigOf(options: EmulatorAuthProxyOptions | undefined, newId: () => string): AuthProxyConfig {
  const { configId = newId(), otpLength = 6, otpAlphanumeric = false, sessionExpirationSeconds = 900 } = options ?? {};
  if (typeof configId !== "string" || configId.length === 0 || configId.length > CONFIG_ID_MAX_LENGTH) {
    throw new TypeError("startTurnkeyEmulator: authProxy.configId must be a non-empty string of at most 256 characters");
  }
  if (!Number.isInteger(otpLength) || otpLength < 6 || otpLength > 9) throw new TypeError("startTurnkeyEmulator: authProxy.otpLength must be a whole number from 6 to 9");
  if (typeof otpAlphanumeric !== "boolean") throw new TypeError("startTurnkeyEmulator: authProxy.otpAlphanumeric must be a boolean");
  if (!Number.isInteger(sessionExpirationSeconds) || sessionExpirationSeconds < 1 || sessionExpirationSeconds > 31_536_000) {
    throw new TypeError("startTurnkeyEmulator: authProxy.sessionExpirationSeconds must be a whole number of seconds from 1 to 31536000");
  }
  return Object.freeze({ configId, otpLength, otpAlphanumeric, sessionExpirationSeconds });
}

/** Whether a request carries the configured `X-Auth-Proxy-Config-ID`; Turnkey's proxy refuses it otherwise. */
export function checkConfigId(header: string | string[] | undefined, config: AuthProxyConfig): void {
  if (header !== config.configId) throw unauthenticated("invalid or missing X-Auth-Proxy-Config-ID");
}

/** POST /v1/otp_init_v2 `{ otpType, contact, emailCustomization? }` → INIT_OTP_V3 on the parent with the config's code format. */
function otpInit(config: AuthProxyConfig): Route {
  return (context) =>
    initOtp(context, {
      otpType: context.body.otpType,
      contact: context.body.contact,
      appName: APP_NAME,
      otpLength: config.otpLength,
      alphanumeric: config.otpAlphanumeric,
    });
}

/** POST /v1/otp_verify_v2 `{ otpId, encryptedOtpBundle }` → `{ verificationToken }`. */
const otpVerify: Route = (context) => verifyOtp(context, { otpId: context.body.otpId, encryptedOtpBundle: context.body.encryptedOtpBundle });

/** The organization an OTP login lands in: the one named (the parent or one of its sub-organizations), else the one where the contact is verified. */
function loginOrganization(context: RouteContext, verificationToken: string): string {
  const named = optionalString(context.body, "organizationId");
  if (named !== undefined) {
    if (named !== context.organizationId && context.store.organizations.get(named)?.parentOrganizationId !== context.organizationId) throw notFound("no organization found with the given ID");
    return named;
  }
  const claims = context.otp.readToken(verificationToken);
  const holders = verifiedHoldersOf(context.store, context.organizationId, claims.verification_type, claims.contact);
  if (holders.length === 0) throw notFound("could not find a verified sub-organization for the verification token's contact");
  if (holders.length > 1) throw invalidArgument("more than one suborg associated with the verification token's contact");
  return (holders[0] as { organizationId: string }).organizationId;
}

/**
 * POST /v1/otp_login_v2 `{ verificationToken, publicKey, clientSignature, invalidateExisting?,
 * organizationId? }` → `{ session }`: OTP_LOGIN_V2 in the named organization or, without one, in the
 * sub-organization where the token's contact is verified.
 */
function otpLoginV2(config: AuthProxyConfig): Route {
  return async (context) => {
    const verificationToken = requiredString(context.body, "verificationToken");
    const organizationId = loginOrganization(context, verificationToken);
    return otpLogin(
      { ...context, organizationId },
      {
        verificationToken,
        publicKey: context.body.publicKey,
        clientSignature: context.body.clientSignature,
        invalidateExisting: context.body.invalidateExisting,
        expirationSeconds: config.sessionExpirationSeconds,
      },
    );
  };
}

/**
 * POST /v1/signup_v2 `{ userName?, userEmail?, userPhoneNumber?, organizationName?, verificationToken?,
 * clientSignature?, apiKeys, authenticators, oauthProviders, wallet? }` → `{ organizationId, userId,
 * wallet? }`: CREATE_SUB_ORGANIZATION_V8 under the parent with one root user (threshold 1). The
 * verification token is checked, not consumed (`@turnkey/core` logs in with it right after).
 */
const signup: Route = (context) => {
  const { body } = context;
  const now = context.now();
  const userName = optionalString(body, "userName") ?? optionalString(body, "userEmail") ?? optionalString(body, "userPhoneNumber") ?? `user-${now}`;
  const result = createSubOrganization(context, {
    subOrganizationName: optionalString(body, "organizationName") ?? `sub-org-${now}`,
    rootQuorumThreshold: 1,
    rootUsers: [
      {
        userName,
        userEmail: body.userEmail,
        userPhoneNumber: body.userPhoneNumber,
        apiKeys: body.apiKeys,
        authenticators: body.authenticators,
        oauthProviders: body.oauthProviders,
      },
    ],
    verificationToken: body.verificationToken,
    clientSignature: body.clientSignature,
    wallet: body.wallet,
  }) as { subOrganizationId: string; rootUserIds: string[]; wallet?: unknown };
  return { organizationId: result.subOrganizationId, userId: result.rootUserIds[0], ...(result.wallet === undefined ? {} : { wallet: result.wallet }) };
};

/**
 * POST /v1/account `{ filterType, filterValue, verificationToken? }` → `{ organizationId? }`: the
 * (oldest) sub-organization of the parent holding the value. `EMAIL` and `PHONE_NUMBER` need a
 * verification token for that very contact (Turnkey guards the PII) and match verified contacts
 * only; `PUBLIC_KEY` and `CREDENTIAL_ID` need none. `{}` when there is none.
 */
const account: Route = (context) => {
  const filterType = requiredString(context.body, "filterType");
  const filterValue = requiredString(context.body, "filterValue");
  const { store } = context;
  const subOrganizations = store.organization(context.organizationId).subOrganizationIds.map((id) => store.organization(id));
  let found: string | undefined;
  if (filterType === "EMAIL" || filterType === "PHONE_NUMBER") {
    const claims = context.otp.readToken(requiredString(context.body, "verificationToken"));
    const verificationType = filterType === "EMAIL" ? "OTP_TYPE_EMAIL" : "OTP_TYPE_SMS";
    if (claims.verification_type !== verificationType || normalizeContact(claims.contact) !== normalizeContact(filterValue)) {
      throw invalidArgument("the verification token is not for this filterValue");
    }
    found = verifiedHoldersOf(store, context.organizationId, verificationType, filterValue)[0]?.organizationId;
  } else if (filterType === "PUBLIC_KEY") {
    const wanted = filterValue.toLowerCase();
    found = subOrganizations.find((organization) => [...organization.users.values()].some((user) => user.apiKeys.some((apiKey) => apiKey.publicKey === wanted)))?.organizationId;
  } else if (filterType === "CREDENTIAL_ID") {
    found = store.credentialOwners(filterValue).find((owner) => store.organizations.get(owner.organizationId)?.parentOrganizationId === context.organizationId)?.organizationId;
  } else {
    throw invalidArgument("filterType must be EMAIL, PHONE_NUMBER, PUBLIC_KEY or CREDENTIAL_ID in the emulator (OIDC is not emulated)");
  }
  return found === undefined ? {} : { organizationId: found };
};

/** POST /v1/wallet_kit_config (no body needed) → the configuration `@turnkey/core`'s `getProxyAuthConfig` reads. */
function walletKitConfig(config: AuthProxyConfig): Route {
  return ({ organizationId }) => ({
    enabledProviders: ENABLED_PROVIDERS,
    sessionExpirationSeconds: String(config.sessionExpirationSeconds),
    organizationId,
    otpAlphanumeric: config.otpAlphanumeric,
    otpLength: String(config.otpLength),
  });
}

/** The Auth Proxy's routes for `config`. */
export function authProxyRoutes(config: AuthProxyConfig): ReadonlyMap<string, Route> {
  return new Map<string, Route>([
    ["/v1/otp_init_v2", otpInit(config)],
    ["/v1/otp_verify_v2", otpVerify],
    ["/v1/otp_login_v2", otpLoginV2(config)],
    ["/v1/signup_v2", signup],
    ["/v1/account", account],
    ["/v1/wallet_kit_config", walletKitConfig(config)],
    // No Turnstile site key: the emulator asks for no captcha.
    ["/v1/wallet_kit_client_params", () => ({})],
  ]);
}
