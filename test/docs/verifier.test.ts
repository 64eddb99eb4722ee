// docs/verifier.md shows this test: the core, without a framework.
import { expect, it } from "vitest";
import { createSessionVerifier, decodeSessionJwt, verifySessionJwt } from "../../src/index.js";
import { createTestNotarizer } from "../../src/testing/index.js";

it("verifies, caches and decodes a session", async () => {
  const notarizer = createTestNotarizer();
  const token = await notarizer.sign({ organization_id: "org-1", user_id: "user-1" });
  const options = { trustedOrganizations: ["org-1"], notarizerPublicKey: notarizer.publicKey };

  // Create once at start-up: imports the key once and owns the cache.
  const verifier = createSessionVerifier({
    trustedOrganizations: ["org-1"], // or (orgId, session) => boolean | Promise<boolean>, or "any"
    notarizerPublicKey: notarizer.publicKey, // in production leave it out: Turnkey's production notarizer key
    // clockTolerance: 5 (seconds), maxTokenLength: 8192, cache: { maxEntries: 16_000 } | false,
    // now: () => Date.now() (milliseconds: sampled here, and a clock in seconds is a TypeError)
  });
  const session = await verifier.verify(token);
  // { userId, organizationId, sessionType, publicKey, expiresAt, sessionProfileId?, scope?, claims, token }

  await verifySessionJwt(token, options); // one-shot; reuses a verifier per options object
  decodeSessionJwt(token); // NO verification: for showing who is logged in, never for authorization

  expect(session).toMatchObject({ userId: "user-1", organizationId: "org-1" });
  expect(verifier.cached(token)).toBe(session);
  expect((await verifySessionJwt(token, options)).userId).toBe("user-1");
  expect(decodeSessionJwt(token).userId).toBe("user-1");
});
