// Packs the package as npm would and runs publint and Are the Types Wrong on the tarball, so
// what users install (ESM and CJS, with their own type files) is what is checked. Then loads every
// entry by its package name (ESM and CJS) and compares its exports with the list below, so adding
// or removing an export is a conscious change; and authenticates one request through the built
// adapter kit.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What each entry exports at run time (types aside). */
const EXPORTS = {
  ".": [
    "TurnkeyAuthError", "allOf", "anyOf", "createMemoryStore", "createSessionVerifier", "decodeSessionJwt", "definePolicy", "extractToken",
    "formatWwwAuthenticate", "isTurnkeyAuthError", "not", "organizationFromParam", "policyNameOf", "requireOrganization",
    "requireReadWrite", "requireScope", "requireSessionType", "requireUser", "verifySessionJwt",
  ],
  "./adapter": ["canonicalPolicyPath", "createAuthenticator", "describeFailure", "policyList", "readHeader", "routeRequirements", "whenAuthenticated"],
  "./express": ["sessionOf", "turnkeyAuth"],
  "./fastify": ["default", "sessionOf", "turnkeyAuth"],
  "./koa": ["sessionOf", "turnkeyAuth"],
  "./hono": ["sessionOf", "turnkeyAuth"],
  "./client": ["createDpopProof", "dpopFetch"],
  "./fetch": ["authenticateRequest", "withTurnkeySession"],
  "./nestjs": [
    "RequirePolicies", "TURNKEY_AUTH_OPTIONS", "TurnkeyAuthException", "TurnkeyAuthGuard", "TurnkeyAuthModule", "TurnkeyAuthenticators", "TurnkeyOptional",
    "TurnkeyPublic", "TurnkeySession",
  ],
  "./testing": ["createOidcIssuer", "createSoftwarePasskey", "createTestClientKey", "createTestNotarizer", "oauthNonceOf", "startTurnkeyEmulator"],
  "./flows": [
    "TurnkeyFlowError", "checkVerificationToken", "createFlowHandler", "createPasskeySubOrganization", "endAllSessions", "getOrCreateSubOrganization",
    "initOtp", "isTurnkeyFlowError", "oauthLogin", "otpLogin", "sessionKeyIsActive", "subOrganizationsOf", "verifyOtp",
  ],
  "./webhooks": ["TURNKEY_WEBHOOK_JWKS_URL", "captureRawBody", "createWebhookReceiver", "expressWebhook", "fastifyWebhook", "honoWebhook", "koaWebhook", "verifyWebhookRequest"],
  "./redis": ["createRedisStore"],
};

const directory = mkdtempSync(join(tmpdir(), "turnkey-session-auth-pack-"));
const run = (command, args) => execFileSync(command, args, { stdio: "inherit" });
try {
  run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", directory]);
  const tarball = join(directory, readdirSync(directory).find((name) => name.endsWith(".tgz")));
  run("npx", ["--no-install", "publint", "run", tarball, "--strict"]);
  run("npx", ["--no-install", "attw", tarball, "--profile", "strict"]);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

// The package resolves itself by name through its "exports", as an installed copy would.
const require = createRequire(import.meta.url);
const problems = [];
for (const [entry, expected] of Object.entries(EXPORTS)) {
  const specifier = entry === "." ? "turnkey-session-auth" : `turnkey-session-auth/${entry.slice(2)}`;
  for (const [format, module] of [["ESM", await import(specifier)], ["CJS", require(specifier)]]) {
    const actual = Object.keys(module).sort();
    if (JSON.stringify(actual) !== JSON.stringify([...expected].sort())) {
      problems.push(`${specifier} (${format}) exports ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  }
}
if (Object.keys(EXPORTS).length !== Object.keys(require("../package.json").exports).length - 1) {
  problems.push('every entry of package.json "exports" (but ./package.json) needs its list in scripts/check-package.mjs');
}

// One request through the built kit: a token from the built test notarizer, accepted, then refused without it.
const { createAuthenticator } = await import("turnkey-session-auth/adapter");
const { createTestNotarizer } = await import("turnkey-session-auth/testing");
const notarizer = createTestNotarizer();
const reader = {
  pathMatching: { caseSensitive: true, strict: true, mergeSlashes: false, semicolonEndsPath: false },
  method: () => "GET",
  target: () => "/",
  headers: (request) => request.headers,
  params: () => ({}),
  query: () => ({}),
  holder: (request) => request,
};
const authenticator = createAuthenticator({ trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey, realm: "check" }, reader);
const token = await notarizer.sign({ organization_id: "org-1" });
const granted = await authenticator.authenticate({ headers: { authorization: `Bearer ${token}` } });
const refused = await authenticator.authenticate({ headers: {} });
if (granted.session?.organizationId !== "org-1") problems.push("the built adapter kit did not grant a valid token");
if (refused.failure?.headers["www-authenticate"] !== 'Bearer realm="check"') problems.push("the built adapter kit did not refuse a request without a token in its realm");

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`exports as intended: ${Object.keys(EXPORTS).join(", ")}; the built adapter kit authenticates`);
