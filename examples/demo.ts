// `npm run demo`: Turnkey's backend login flows and session checks, end to end on one machine.
//
// It starts the local Turnkey emulator (turnkey-session-auth/testing) and the Express example with
// the flow helpers mounted at POST /auth/:flow, trusting only sub-organizations of the emulator's
// parent organization (asked of "Turnkey" with subOrganizationsOf). Then a scripted client, doing
// what a browser does, walks through sign-up and login (by email OTP, and by passkey with a software
// authenticator standing in for the browser's) and the checks a protected API must make.
// A second instance of the example shares the first one's store (in memory here, in this process;
// REDIS_URL gives the examples a Redis store across processes) to show that a logout holds on both.
// No network: everything listens on 127.0.0.1. Exit code 0 only if every step behaved as expected.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { TurnkeyClient } from "@turnkey/http";
import { Turnkey } from "@turnkey/sdk-server";
import { createFlowHandler, initOtp, otpLogin, subOrganizationsOf, verifyOtp, type TurnkeyFlowsClient } from "../src/flows/index.js";
import { createMemoryStore } from "../src/index.js";
import { createSoftwarePasskey, createTestClientKey, oauthNonceOf, startTurnkeyEmulator, type SoftwarePasskey, type TestClientKey, type TurnkeyEmulator } from "../src/testing/index.js";
import { createApp } from "./express/app.js";

/** One step of the demo and how it went. */
export interface DemoStep {
  readonly name: string;
  readonly ok: boolean;
  /** What was observed (never a token). */
  readonly detail: string;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where each step's line goes. Default `console.log`. */
  log?: (line: string) => void;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

const TWO_HOURS_MS = 2 * 3_600_000;

function turnkeyClient(emulator: TurnkeyEmulator, apiKey: { publicKey: string; privateKey: string }, organizationId: string) {
  return new Turnkey({ apiBaseUrl: emulator.apiBaseUrl, apiPublicKey: apiKey.publicKey, apiPrivateKey: apiKey.privateKey, defaultOrganizationId: organizationId }).apiClient();
}

/** Starts `app` on a free loopback port. */
async function listen(app: { listen(port: number, host: string): Server }): Promise<Server> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve).once("error", reject);
  });
  return server;
}

function short(id: unknown): string {
  return typeof id === "string" ? `${id.slice(0, 8)}…` : String(id);
}

function expect(condition: boolean, observed: string): void {
  if (!condition) throw new Error(observed);
}

/**
 * Runs the demo and resolves with every step's outcome (it never throws for a failed step).
 *
 * @example
 * ```ts
 * const { ok, steps } = await runDemo({ log: () => {} });
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<{ ok: boolean; steps: DemoStep[] }> {
  const log = options.log ?? ((line: string) => console.log(line));
  const steps: DemoStep[] = [];
  let clockOffsetMs = 0;
  const emulator = await startTurnkeyEmulator({ now: () => Date.now() + clockOffsetMs });
  let server: Server | undefined;
  let secondServer: Server | undefined;

  async function step(name: string, run: () => Promise<string>): Promise<void> {
    let outcome: DemoStep;
    try {
      outcome = { name, ok: true, detail: await run() };
    } catch (error) {
      outcome = { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
    steps.push(outcome);
    log(`${outcome.ok ? "✓" : "✗"} ${outcome.name}: ${outcome.detail}`);
  }

  try {
    // The backend: the parent organization's API key, the flow helpers, and the trust check.
    const client: TurnkeyFlowsClient = turnkeyClient(emulator, emulator.apiKey, emulator.parentOrganizationId);
    const parentOrganizationId = emulator.parentOrganizationId;
    const store = createMemoryStore(); // shared by both instances and POST /auth/logout
    const handleFlow = createFlowHandler({
      client,
      parentOrganizationId,
      appName: "turnkey-session-auth demo",
      otpSignerPublicKey: emulator.otpSignerPublicKey,
      notarizerPublicKey: emulator.notarizerPublicKey,
      // OAuth login accepts ID tokens of these issuers for these client ids (here the emulator's own OIDC issuer).
      oauth: { issuers: [emulator.oidcIssuer.issuer], audiences: ["demo-app"] },
      store,
    });
    const auth = { trustedOrganizations: subOrganizationsOf({ client, parentOrganizationId }), notarizerPublicKey: emulator.notarizerPublicKey, store };
    server = await listen(createApp({ auth, handleFlow }));
    secondServer = await listen(createApp({ auth, handleFlow }));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const secondBase = `http://127.0.0.1:${(secondServer.address() as AddressInfo).port}`;
    log(`Turnkey emulator on ${emulator.apiBaseUrl}, Express example on ${base} and a second instance on ${secondBase}`);

    // The scripted client: plain fetch over loopback, as a browser would call the backend.
    async function call(method: "GET" | "POST", path: string, body?: unknown, session?: string, instance = base): Promise<Reply> {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers["content-type"] = "application/json";
      if (session !== undefined) headers.authorization = `Bearer ${session}`;
      const response = await fetch(`${instance}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
    }

    /** The browser's OTP login through the app: request a code, "read" it, encrypt, verify, log in. */
    async function browserOtpLogin(contact: string): Promise<{ reply: Reply; key: TestClientKey }> {
      const key = createTestClientKey();
      const init = await call("POST", "/auth/otp-init", { otpType: "OTP_TYPE_EMAIL", contact });
      expect(init.status === 200, `otp-init answered ${init.status} ${JSON.stringify(init.body)}`);
      const code = emulator.lastOtp(contact);
      expect(code !== undefined, "no code reached the inbox");
      const encryptedOtpBundle = await key.encryptOtpCode(code as string, init.body.otpEncryptionTargetBundle as string, emulator.otpSignerPublicKey);
      const verify = await call("POST", "/auth/otp-verify", { otpId: init.body.otpId, encryptedOtpBundle });
      expect(verify.status === 200, `otp-verify answered ${verify.status} ${JSON.stringify(verify.body)}`);
      const verificationToken = verify.body.verificationToken as string;
      // Both signatures in one request: the sign-up one is used only when no account has this email
      // verified yet, and this login creates it.
      const signatures = { clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) };
      const reply = await call("POST", "/auth/otp-login", { verificationToken, publicKey: key.publicKey, ...signatures });
      return { reply, key };
    }

    const contact = "ada@example.com";
    let first: { reply: Reply; key: TestClientKey } | undefined;
    let session: string | undefined;
    let organizationId: string | undefined;

    await step("OTP sign-up of a new user", async () => {
      first = await browserOtpLogin(contact);
      const { status, body } = first.reply;
      expect(status === 200 && body.created === true && typeof body.session === "string", `expected 200 with a new sub-organization, got ${status} ${JSON.stringify({ ...body, session: undefined })}`);
      organizationId = body.organizationId as string;
      return `200, sub-organization ${short(organizationId)} created for ${contact}`;
    });

    await step("OTP login of the same user", async () => {
      const { reply } = await browserOtpLogin(contact);
      const { status, body } = reply;
      expect(status === 200 && body.created === false, `expected 200 without creating anything, got ${status} ${JSON.stringify({ ...body, session: undefined })}`);
      expect(body.organizationId === organizationId, `logged into ${short(body.organizationId)}, not ${short(organizationId)}`);
      session = body.session as string;
      return `200, same sub-organization ${short(organizationId)}`;
    });

    const passkey: SoftwarePasskey = createSoftwarePasskey({ rpId: "localhost" });
    let passkeyAccount: { organizationId: string; userId: string } | undefined;

    await step("passkey sign-up of a new user", async () => {
      // The browser creates a passkey and a temporary key pair; the backend creates the
      // sub-organization with both; the temporary key then asks Turnkey for the session (stampLogin).
      const temporary = createTestClientKey();
      const signup = await call("POST", "/auth/signup", { userName: "Grace", passkey: { ...passkey.registration, authenticatorName: "laptop" }, apiKey: { publicKey: temporary.publicKey, expirationSeconds: 300 } });
      expect(signup.status === 201, `signup answered ${signup.status} ${JSON.stringify(signup.body)}`);
      const created = { organizationId: signup.body.subOrganizationId as string, userId: signup.body.userId as string };
      const sessionKey = createTestClientKey();
      const { session: jwt } = await turnkeyClient(emulator, temporary, created.organizationId).stampLogin({ publicKey: sessionKey.publicKey, expirationSeconds: "900" });
      const me = await call("GET", "/me", undefined, jwt);
      expect(me.status === 200 && me.body.userId === created.userId && me.body.organizationId === created.organizationId, `GET /me answered ${me.status} ${JSON.stringify(me.body)}`);
      passkeyAccount = created;
      return `201, sub-organization ${short(created.organizationId)} with the passkey; stampLogin by the temporary key → GET /me 200`;
    });

    await step("passkey login of the same user", async () => {
      // No backend call: the browser's passkey signs stampLogin itself (X-Stamp-Webauthn), naming
      // the parent organization as @turnkey/core's loginWithPasskey() does; Turnkey finds the
      // sub-organization holding the passkey.
      const browser = new TurnkeyClient({ baseUrl: emulator.apiBaseUrl }, passkey);
      const sessionKey = createTestClientKey();
      const { activity } = await browser.stampLogin({ type: "ACTIVITY_TYPE_STAMP_LOGIN", timestampMs: String(Date.now()), organizationId: parentOrganizationId, parameters: { publicKey: sessionKey.publicKey } });
      const jwt = activity.result.stampLoginResult?.session;
      expect(typeof jwt === "string", "stampLogin returned no session");
      const me = await call("GET", "/me", undefined, jwt);
      expect(me.status === 200 && me.body.userId === passkeyAccount?.userId && me.body.organizationId === passkeyAccount?.organizationId, `GET /me answered ${me.status} ${JSON.stringify(me.body)}`);
      return `stampLogin signed by the passkey (parent's id) → session in ${short(me.body.organizationId)}, GET /me 200`;
    });

    await step("OAuth login (OIDC ID token), twice", async () => {
      // The browser gets an ID token from the provider with nonce = sha256(its session key's hex).
      const login = async () => {
        const key = createTestClientKey();
        const oidcToken = emulator.oidcIssuer.sign({ sub: "oidc-user-1", aud: "demo-app", nonce: oauthNonceOf(key.publicKey) });
        return call("POST", "/auth/oauth-login", { oidcToken, publicKey: key.publicKey });
      };
      const first = await login();
      const second = await login();
      expect(first.status === 200 && first.body.created === true, `first oauth-login answered ${first.status} ${JSON.stringify({ ...first.body, session: undefined })}`);
      expect(second.status === 200 && second.body.created === false && second.body.organizationId === first.body.organizationId, `second oauth-login answered ${second.status} ${JSON.stringify({ ...second.body, session: undefined })}`);
      const me = await call("GET", "/me", undefined, second.body.session as string);
      expect(me.status === 200, `GET /me answered ${me.status}`);
      return `200 created ${short(first.body.organizationId)}, then 200 into the same one; GET /me 200`;
    });

    await step("protected route with the session", async () => {
      const { status, body } = await call("GET", "/me", undefined, session);
      expect(status === 200 && body.organizationId === organizationId && typeof body.userId === "string", `expected 200 with the identity, got ${status} ${JSON.stringify(body)}`);
      return `GET /me → 200, user ${short(body.userId)} of ${short(body.organizationId)}, ${String(body.sessionType)}`;
    });

    await step("another organization's resource", async () => {
      const own = await call("GET", `/orgs/${organizationId}/wallets`, undefined, session);
      expect(own.status === 200, `own organization's wallets answered ${own.status}`);
      const other = await call("GET", `/orgs/${parentOrganizationId}/wallets`, undefined, session);
      expect(other.status === 403 && other.body.error === "forbidden", `expected 403 forbidden, got ${other.status} ${JSON.stringify(other.body)}`);
      return `GET /orgs/${short(parentOrganizationId)}/wallets → 403 forbidden (own organization's → 200)`;
    });

    await step("logout, refused by a second instance", async () => {
      const before = await call("GET", "/me", undefined, session, secondBase);
      expect(before.status === 200, `the second instance answered ${before.status} before the logout`);
      const logout = await call("POST", "/auth/logout", {}, session);
      expect(logout.status === 200 && logout.body.revoked === true, `logout answered ${logout.status} ${JSON.stringify(logout.body)}`);
      const here = await call("GET", "/me", undefined, session);
      const there = await call("GET", "/me", undefined, session, secondBase);
      expect(here.status === 401 && there.status === 401 && there.body.error === "session_revoked", `after the logout: ${here.status}, second instance ${there.status} ${String(there.body.error)}`);
      return `POST /auth/logout → 200; GET /me → 401 session_revoked on both instances (shared store)`;
    });

    await step("expired session", async () => {
      // The client's session key asks Turnkey for a 15-minute session while the emulator's clock
      // reads two hours ago: a genuine Turnkey-signed session that expired long since.
      const key = first?.key;
      expect(key !== undefined && organizationId !== undefined, "no session key from the sign-up step");
      clockOffsetMs = -TWO_HOURS_MS;
      let expired: string;
      try {
        const asUser = turnkeyClient(emulator, key as TestClientKey, organizationId as string);
        expired = (await asUser.stampLogin({ publicKey: (key as TestClientKey).publicKey, expirationSeconds: "900" })).session;
      } finally {
        clockOffsetMs = 0;
      }
      const { status, body } = await call("GET", "/me", undefined, expired);
      expect(status === 401 && body.error === "token_expired", `expected 401 token_expired, got ${status} ${JSON.stringify(body)}`);
      return "GET /me with a session issued 2 h ago for 15 min → 401 token_expired";
    });

    await step("session from a foreign Turnkey organization", async () => {
      // Another Turnkey customer logs its own user in: a valid Turnkey session, but not ours.
      const foreign = emulator.createOrganization({ name: "Someone else's app" });
      const foreignClient = turnkeyClient(emulator, foreign.apiKey, foreign.organizationId);
      const keys = { otpSignerPublicKey: emulator.otpSignerPublicKey, notarizerPublicKey: emulator.notarizerPublicKey };
      const key = createTestClientKey();
      const stranger = "mallory@example.com";
      const { otpId, otpEncryptionTargetBundle } = await initOtp({ client: foreignClient, parentOrganizationId: foreign.organizationId, otpType: "OTP_TYPE_EMAIL", contact: stranger, appName: "other app" });
      const encryptedOtpBundle = await key.encryptOtpCode(emulator.lastOtp(stranger) as string, otpEncryptionTargetBundle, emulator.otpSignerPublicKey);
      const { verificationToken } = await verifyOtp({ client: foreignClient, parentOrganizationId: foreign.organizationId, otpId, encryptedOtpBundle, ...keys });
      const signatures = { clientSignature: key.signLogin(verificationToken), signupClientSignature: key.signSignup(verificationToken) };
      const login = await otpLogin({ client: foreignClient, parentOrganizationId: foreign.organizationId, verificationToken, publicKey: key.publicKey, ...signatures, ...keys });
      const { status, body } = await call("GET", "/me", undefined, login.session);
      expect(status === 401 && body.error === "untrusted_organization", `expected 401 untrusted_organization, got ${status} ${JSON.stringify(body)}`);
      return `GET /me with a session of ${short(login.organizationId)} (another parent's sub-organization) → 401 untrusted_organization`;
    });
  } catch (error) {
    steps.push({ name: "setup", ok: false, detail: error instanceof Error ? error.message : String(error) });
    log(`✗ setup: ${steps.at(-1)?.detail}`);
  } finally {
    for (const running of [server, secondServer]) {
      if (running === undefined) continue;
      const closed = new Promise<void>((resolve) => running.close(() => resolve()));
      running.closeAllConnections();
      await closed;
    }
    await emulator.close();
  }

  const ok = steps.length === 10 && steps.every((outcome) => outcome.ok);
  log(ok ? `All ${steps.length} steps behaved as expected.` : `${steps.filter((outcome) => !outcome.ok).length} step(s) did not behave as expected.`);
  return { ok, steps };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ok } = await runDemo();
  process.exitCode = ok ? 0 : 1;
}
