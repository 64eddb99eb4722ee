// examples/web in real Chromium: every flow on the page, clicked through with @turnkey/core in the
// browser, a virtual passkey, the demo backend and the emulator. Screenshots of each step go to
// test-artifacts/web-demo/ (gitignored). Without Chromium the suite fails in CI and skips elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebDemo, type WebDemo } from "../../examples/web/server.js";
import { createSessionVerifier, type TurnkeySession } from "../../src/index.js";
import { addVirtualAuthenticator, CHROMIUM_PATH, launchChromium, type Chromium } from "../helpers/browser/chromium.js";
import { DemoPage } from "./demo-page.js";

const SCREENSHOTS = new URL("../../test-artifacts/web-demo/", import.meta.url);
const EMAIL = "grace@example.com";

let demo: WebDemo | undefined;
let browser: Chromium | undefined;
let ui: DemoPage;
let passkey: { credentialCount(): Promise<number> };
let unavailable: string | undefined;
let launchFailure: Error | undefined;

beforeAll(async () => {
  try {
    browser = await launchChromium();
  } catch (error) {
    const reason = `Chromium (${CHROMIUM_PATH}) did not start: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    // CI installs Chromium (.ci/run): there, a browser that does not start fails every test.
    if (process.env.CI) launchFailure = new Error(reason, { cause: error });
    else {
      unavailable = `${reason}. Install it (apt-get install chromium) to run the browser tests.`;
      console.warn(`Skipping the web demo's browser tests: ${unavailable}`);
    }
    return;
  }
  demo = await startWebDemo({ port: 0 });
  ui = await DemoPage.open(browser.context, demo, SCREENSHOTS, async (page) => {
    passkey = await addVirtualAuthenticator(page);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

async function verifiedSession(): Promise<TurnkeySession> {
  const token = await ui.storedToken();
  expect(token).toBeDefined();
  const verifier = createSessionVerifier({ notarizerPublicKey: demo!.emulator.notarizerPublicKey, trustedOrganizations: "any", cache: false });
  return verifier.verify(token as string);
}

/** The backend asked directly, from outside the browser: a token copied out of the page, without its key. */
async function backendGet(path: string, authorization: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${demo!.url}${path}`, { headers: { authorization } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * The "copied token" step: GET /me signed in the page by @turnkey/core's session key answers the
 * session's user, and the same token without the key is refused three ways, all shown on the page.
 */
async function expectCopiedTokenRefused(name: string, session: TurnkeySession): Promise<void> {
  const story = await ui.runStep("copied-token", name);
  expect(story).toMatch(new RegExp(`GET /me signed by the session key → 200\\s+\\{[^}]*"userId": "${session.userId}",\\s+"organizationId": "${session.organizationId}"`));
  expect(story).toMatch(/GET \/me with the copied token as a Bearer token, no proof → 401\s+\{\s+"error": "dpop_required"/);
  expect(story).toMatch(/GET \/me with the copied token and a proof signed by the thief's own key → 401\s+\{\s+"error": "dpop_key_mismatch"/);
  expect(story).toMatch(/GET \/me with the copied token and a proof naming the session's key, signed by the thief's → 401\s+\{\s+"error": "dpop_invalid_signature"/);
  const answers = ui.page.locator('[data-step="copied-token"] li[data-status]');
  expect(await answers.evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.status))).toEqual(["200", "401", "401", "401"]);
  for (const answer of await answers.all()) expect(await answer.isVisible()).toBe(true);
}

/** A test that needs the browser: without Chromium, it fails in CI, and is skipped (saying why) elsewhere. */
function inBrowser(name: string, run: () => Promise<void>): void {
  it(name, async (context) => {
    if (launchFailure !== undefined) throw launchFailure;
    if (unavailable !== undefined) context.skip(unavailable);
    await run();
  });
}

// The steps depend on each other (sign up, then log in, …) and run in order, as a user would.
describe("examples/web in Chromium", () => {
  let passkeyOrganization = "";
  let passkeyUser = "";
  let passkeySessionKey = "";
  let otpOrganization = "";

  inBrowser("loads the page: @turnkey/core initialized, configured for the emulator, no session", async () => {
    expect(await ui.page.locator("#parent-organization").innerText()).toBe(demo!.emulator.parentOrganizationId);
    expect(await ui.page.locator("#session").getAttribute("data-state")).toBe("none");
    expect(await ui.page.locator("#wrong-host").isHidden()).toBe(true);
    await ui.screenshot("start");
  });

  inBrowser("opened at 127.0.0.1 instead of localhost, the page says to use localhost", async () => {
    const other = await browser!.context.newPage();
    try {
      await other.goto(demo!.url.replace("localhost", "127.0.0.1"));
      await other.waitForSelector("#wrong-host:not([hidden])", { timeout: 15_000 });
    } finally {
      await other.close();
    }
  });

  inBrowser("passkey sign-up: passkey + temporary API key, POST /auth/signup, stampLogin", async () => {
    await ui.page.fill("#user-name", "Ada");
    const before = ui.turnkeyCalls.length;
    const story = await ui.runStep("signup", "passkey-signup");
    expect(story).toMatch(/POST \/auth\/signup → 201/);
    expect(await passkey.credentialCount()).toBe(1);
    const session = await verifiedSession();
    const organization = demo!.emulator.organization(session.organizationId);
    expect(organization?.parentOrganizationId).toBe(demo!.emulator.parentOrganizationId);
    const [user] = organization?.users ?? [];
    expect(user?.userName).toBe("Ada");
    expect(user?.authenticators).toHaveLength(1);
    // The temporary key and the session key, both on the new user.
    expect(user?.apiKeys.map((key) => key.apiKeyName)).toContain("Sign-up key");
    expect(user?.apiKeys.map((key) => key.publicKey)).toContain(session.publicKey);
    expect(session.userId).toBe(user?.userId);
    expect(await ui.shownSession()).toMatchObject({ user_id: session.userId, organization_id: session.organizationId, session_type: "SESSION_TYPE_READ_WRITE" });
    // The sub-organization came from the backend; the page itself sent Turnkey only the login, stamped by the temporary key.
    expect(ui.turnkeyCallsSince(before)).toEqual([{ path: "/public/v1/submit/stamp_login", stamp: "x-stamp", organizationId: session.organizationId }]);
    passkeyOrganization = session.organizationId;
    passkeyUser = session.userId;
    passkeySessionKey = session.publicKey;
    // The backend takes requests signed by this session's key, made in the browser at sign-up.
    await expectCopiedTokenRefused("passkey-signup-signed", session);
  });

  inBrowser("passkey login: loginWithPasskey() with the parent organization, X-Stamp-Webauthn", async () => {
    const before = ui.turnkeyCalls.length;
    const story = await ui.runStep("passkey-login", "passkey-login");
    expect(story).toMatch(/X-Stamp-Webauthn/);
    expect(ui.turnkeyCallsSince(before)).toEqual([{ path: "/public/v1/submit/stamp_login", stamp: "x-stamp-webauthn", organizationId: demo!.emulator.parentOrganizationId }]);
    const session = await verifiedSession();
    // Turnkey (the emulator) found the passkey's sub-organization from the parent's id.
    expect(session).toMatchObject({ organizationId: passkeyOrganization, userId: passkeyUser });
    expect(session.publicKey).not.toBe(passkeySessionKey);
    expect(await ui.shownSession()).toMatchObject({ organization_id: passkeyOrganization });
    await expectCopiedTokenRefused("passkey-login-signed", session);
  });

  inBrowser("email OTP: send a code, read the emulator's inbox (demo only), verify and log in", async () => {
    await ui.page.fill("#email", EMAIL);
    const before = ui.turnkeyCalls.length;
    expect(await ui.runStep("otp-send", "otp-send")).toMatch(/POST \/auth\/otp-init → 200/);
    // A mistyped code: Turnkey refuses it, the backend answers 400, the page says so.
    const sessionBefore = await ui.storedToken();
    await ui.page.fill("#otp-code", "not-the-code");
    const wrong = await ui.clickStep("otp-login", "otp-wrong-code");
    expect(wrong.outcome).toMatch(/^Failed: POST \/auth\/otp-verify answered 400 rejected/);
    expect(await ui.storedToken()).toBe(sessionBefore);
    await ui.runStep("otp-inbox", "otp-inbox");
    expect(await ui.page.inputValue("#otp-code")).toBe(demo!.emulator.lastOtp(EMAIL));
    const story = await ui.runStep("otp-login", "otp-login");
    expect(story).toMatch(/POST \/auth\/otp-login → 200: no sub-organization had grace@example.com verified/);
    const session = await verifiedSession();
    expect(session.organizationId).not.toBe(passkeyOrganization);
    const [user] = demo!.emulator.organization(session.organizationId)?.users ?? [];
    expect(user).toMatchObject({ userId: session.userId, userEmail: EMAIL, emailVerified: true });
    expect(await ui.shownSession()).toMatchObject({ organization_id: session.organizationId });
    // Every Turnkey call of this flow was the backend's.
    expect(ui.turnkeyCallsSince(before)).toEqual([]);
    otpOrganization = session.organizationId;
    await expectCopiedTokenRefused("otp-login-signed", session);
  });

  inBrowser("protected routes, signed by the session key: GET /me, own organization 200, another organization 403", async () => {
    const story = await ui.runStep("backend", "protected-routes");
    expect(story).toContain('dpopFetch sends its JWT as "Authorization: DPoP …"');
    expect(story).toContain("GET /me → 200");
    expect(story).toContain(`"organizationId": "${otpOrganization}"`);
    expect(story).toMatch(/\(yours\) → 200/);
    // "Another organization": the passkey user's sub-organization, seen earlier on this page.
    expect(story).toContain(`GET /orgs/${passkeyOrganization.slice(0, 10)}…/wallets (another organization) → 403`);
    expect(story).toContain('"error": "forbidden"');
    // The page's token, copied out of the browser without its key: refused, with or without the DPoP scheme.
    const token = (await ui.storedToken()) as string;
    expect(await backendGet("/me", `Bearer ${token}`)).toMatchObject({ status: 401, body: { error: "dpop_required" } });
    expect(await backendGet(`/orgs/${otpOrganization}/wallets`, `DPoP ${token}`)).toMatchObject({ status: 401, body: { error: "invalid_dpop_proof" } });
    // The view docs/login-flows.md shows (docs/web-demo.png): these answers beside the session panel.
    await ui.page.locator('[data-step="backend"]').evaluate((section) => section.scrollIntoView());
    await ui.page.screenshot({ path: new URL("readme.png", SCREENSHOTS).pathname });
  });

  inBrowser("refresh: refreshSession() stamped by the session key gives a new session key and JWT", async () => {
    const before = await verifiedSession();
    const calls = ui.turnkeyCalls.length;
    const story = await ui.runStep("refresh", "refresh");
    expect(ui.turnkeyCallsSince(calls)).toEqual([{ path: "/public/v1/submit/stamp_login", stamp: "x-stamp", organizationId: otpOrganization }]);
    expect(story).toContain("GET /me with the new session, signed by its new key → 200");
    const after = await verifiedSession();
    expect(after).toMatchObject({ organizationId: otpOrganization, userId: before.userId });
    expect(after.publicKey).not.toBe(before.publicKey);
    expect(after.expiresAt).toBeGreaterThanOrEqual(before.expiresAt);
  });

  inBrowser("logout: local only; the backend then sees no session (401); the old JWT still verifies, but its key is gone", async () => {
    const token = (await ui.storedToken()) as string;
    const calls = ui.turnkeyCalls.length;
    const story = await ui.runStep("logout", "logout");
    expect(ui.turnkeyCallsSince(calls)).toEqual([]);
    expect(story).toContain("GET /me without a session → 401");
    expect(story).toMatch(/GET \/me with the logged-out JWT \(kept in memory for this demo\), without a proof: its key is deleted → 401\s+\{\s+"error": "dpop_required"/);
    expect(await ui.storedToken()).toBeUndefined();
    expect(await ui.page.locator("#session").getAttribute("data-state")).toBe("none");
    const verifier = createSessionVerifier({ notarizerPublicKey: demo!.emulator.notarizerPublicKey, trustedOrganizations: "any", cache: false });
    expect((await verifier.verify(token)).organizationId).toBe(otpOrganization);
    expect((await backendGet("/me", `Bearer ${token}`)).status).toBe(401);
  });

  inBrowser("the page logged no errors, no token or proof, and broke no Content-Security-Policy rule", async () => {
    expect(ui.errors).toEqual([]);
    expect(ui.logged.length).toBeGreaterThan(0); // Chromium's lines about the refused requests, at least
    expect(ui.logged.join("\n")).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+/);
  });
});
