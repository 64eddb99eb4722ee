// Whatever a correctly stamped request carries, and whatever a stamp header holds, the emulator
// answers a Turnkey error (4xx), never a 5xx: every route, the Auth Proxy's included, gets arbitrary
// JSON where its parameters go.
import { ApiKeyStamper } from "@turnkey/api-key-stamper";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSoftwarePasskey, startTurnkeyEmulator, type TurnkeyEmulator } from "../../src/testing/index.js";

let emulator: TurnkeyEmulator;
let stamper: ApiKeyStamper;
beforeAll(async () => {
  emulator = await startTurnkeyEmulator();
  stamper = new ApiKeyStamper({ apiPublicKey: emulator.apiKey.publicKey, apiPrivateKey: emulator.apiKey.privateKey });
});
afterAll(() => emulator.close());

const QUERIES = ["get_user", "list_users", "list_suborgs", "list_verified_suborgs", "whoami", "get_activity", "get_api_keys", "list_wallets", "list_wallet_accounts"];
const ACTIVITIES: Record<string, string[]> = {
  create_sub_organization: ["ACTIVITY_TYPE_CREATE_SUB_ORGANIZATION_V8"],
  create_authenticators: ["ACTIVITY_TYPE_CREATE_AUTHENTICATORS_V2"],
  init_otp: ["ACTIVITY_TYPE_INIT_OTP_V3"],
  verify_otp: ["ACTIVITY_TYPE_VERIFY_OTP_V2", "ACTIVITY_TYPE_VERIFY_OTP"],
  otp_login: ["ACTIVITY_TYPE_OTP_LOGIN_V2", "ACTIVITY_TYPE_OTP_LOGIN"],
  stamp_login: ["ACTIVITY_TYPE_STAMP_LOGIN"],
  create_read_only_session: ["ACTIVITY_TYPE_CREATE_READ_ONLY_SESSION"],
  create_read_write_session: ["ACTIVITY_TYPE_CREATE_READ_WRITE_SESSION_V2"],
};
const PROXY = ["otp_init_v2", "otp_verify_v2", "otp_login_v2", "signup_v2", "account", "wallet_kit_config", "wallet_kit_client_params"];
// Field names the routes read, so that random values reach their checks rather than "is required".
const FIELDS = [
  "userId", "walletId", "includeWalletDetails", "paginationOptions", "filterType", "filterValue", "activityId", "otpType", "contact", "otpId",
  "encryptedOtpBundle", "verificationToken", "publicKey", "clientSignature", "targetPublicKey", "authenticators", "rootUsers", "wallet",
  "subOrganizationName", "rootQuorumThreshold", "expirationSeconds", "invalidateExisting", "apiKeys", "userEmail", "organizationId", "appName",
];

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom("", "OTP_TYPE_EMAIL", "EMAIL", "CREDENTIAL_ID", "0".repeat(66), "02" + "f".repeat(64), "{}", "a@b.co", "+14155550100", "-1", "101", "AAAA"),
);
const hostileObject = fc.dictionary(fc.constantFrom(...FIELDS), hostileValue, { maxKeys: 6 });

async function post(path: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(`${emulator.apiBaseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  await response.arrayBuffer();
  return response.status;
}

describe("hostile request bodies", () => {
  it("every stamped query and activity answers 2xx or 4xx to arbitrary parameters", async () => {
    const activity = fc.constantFrom(...Object.keys(ACTIVITIES)).chain((name) => fc.tuple(fc.constant(name), fc.constantFrom(...(ACTIVITIES[name] as string[]))));
    const request = fc.oneof(
      fc.tuple(fc.constantFrom(...QUERIES), hostileObject).map(([name, fields]) => ({ path: `/public/v1/query/${name}`, body: { ...fields, organizationId: emulator.parentOrganizationId } })),
      fc.tuple(activity, hostileObject).map(([[name, type], parameters]) => ({
        path: `/public/v1/submit/${name}`,
        body: { type, timestampMs: "1", organizationId: emulator.parentOrganizationId, parameters },
      })),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ path, body }) => {
        const raw = JSON.stringify(body);
        const status = await post(path, raw, { "X-Stamp": (await stamper.stamp(raw)).stampHeaderValue });
        expect(status, `${path} ${raw}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it("the Auth Proxy answers 2xx or 4xx to arbitrary bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROXY), fc.oneof(hostileObject, hostileValue), async (name, body) => {
        const status = await post(`/v1/${name}`, JSON.stringify(body), { "x-auth-proxy-config-id": emulator.authProxyConfigId });
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });

  it("passkey and attested stamp headers of any content are refused with 401", async () => {
    const passkey = createSoftwarePasskey();
    const body = JSON.stringify({ organizationId: emulator.parentOrganizationId });
    const valid = JSON.parse((await passkey.stamp(body)).stampHeaderValue) as Record<string, string>;
    const webauthn = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.dictionary(fc.constantFrom("authenticatorData", "clientDataJson", "credentialId", "signature"), hostileValue).map((fields) => JSON.stringify({ ...valid, ...fields })),
      fc.base64String({ maxLength: 400 }).map((value) => JSON.stringify({ ...valid, authenticatorData: value.replaceAll("+", "-").replaceAll("/", "_") })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("x-stamp-webauthn", "x-stamp-attested", "x-stamp"), webauthn, async (header, value) => {
        const status = await post("/public/v1/submit/stamp_login", body, { [header]: header === "x-stamp-webauthn" ? value : Buffer.from(value).toString("base64url") });
        expect(status).toBe(401);
      }),
      { numRuns: 200 },
    );
  });
});
