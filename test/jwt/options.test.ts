import { describe, expect, it } from "vitest";
import { createSessionVerifier, type VerifyOptions } from "../../src/index.js";
import { PRODUCTION_NOTARIZER_PUBLIC_KEY } from "../../src/jwt/notarizer-key.js";

function construct(options: Record<string, unknown>) {
  return () => createSessionVerifier(options as unknown as VerifyOptions);
}

describe("verifier options are checked at construction", () => {
  it("requires trustedOrganizations and says why", () => {
    expect(construct({})).toThrow(TypeError);
    expect(construct({})).toThrow(/"trustedOrganizations" is required: every Turnkey customer's sessions are signed by the same notarizer key/);
  });

  it.each([
    [{ trustedOrganizations: [] }, "trustedOrganizations"],
    [{ trustedOrganizations: "all" }, "trustedOrganizations"],
    [{ trustedOrganizations: ["", "org"] }, "trustedOrganizations"],
    [{ trustedOrganizations: [42] }, "trustedOrganizations"],
    [{ trustedOrganizations: "any", notarizerPublicKey: "04abcd" }, "notarizerPublicKey"],
    [{ trustedOrganizations: "any", notarizerPublicKey: `04${"00".repeat(64)}` }, "notarizerPublicKey"],
    [{ trustedOrganizations: "any", notarizerPublicKey: 7 }, "notarizerPublicKey"],
    [{ trustedOrganizations: "any", clockTolerance: -1 }, "clockTolerance"],
    [{ trustedOrganizations: "any", clockTolerance: 301 }, "clockTolerance"],
    [{ trustedOrganizations: "any", clockTolerance: Number.NaN }, "clockTolerance"],
    [{ trustedOrganizations: "any", now: 123 }, "now"],
    [{ trustedOrganizations: "any", now: () => undefined }, "now"],
    [{ trustedOrganizations: "any", now: () => Number.NaN }, "now"],
    [{ trustedOrganizations: "any", now: () => Math.floor(Date.now() / 1000) }, "now"],
    [{ trustedOrganizations: "any", now: () => Date.now() * 1000 }, "now"],
    [{ trustedOrganizations: "any", maxTokenLength: 10 }, "maxTokenLength"],
    [{ trustedOrganizations: "any", maxTokenLength: 1.5 }, "maxTokenLength"],
    [{ trustedOrganizations: "any", cache: { maxEntries: 0 } }, "cache.maxEntries"],
    [{ trustedOrganizations: "any", cache: "big" }, "cache"],
  ])("%j is a TypeError naming %s", (options, name) => {
    expect(construct(options)).toThrow(TypeError);
    expect(construct(options)).toThrow(new RegExp(`"${name.replace(".", "\\.")}"`));
  });

  it("accepts the documented forms", () => {
    expect(construct({ trustedOrganizations: "any" })).not.toThrow();
    expect(construct({ trustedOrganizations: ["org"], clockTolerance: 0, cache: false })).not.toThrow();
    expect(construct({ trustedOrganizations: () => true, cache: { maxEntries: 5 }, maxTokenLength: 4096 })).not.toThrow();
  });

  it("a clock in seconds fails at construction, saying so (read as milliseconds it would never expire a token)", () => {
    const seconds = Math.floor(Date.now() / 1000);
    expect(construct({ trustedOrganizations: "any", now: () => seconds })).toThrow(`it returned ${seconds}, which looks like seconds`);
    expect(construct({ trustedOrganizations: "any", now: () => Date.UTC(1973, 3, 1) })).not.toThrow();
    expect(construct({ trustedOrganizations: "any", now: () => new Date(2999, 0, 1).getTime() })).not.toThrow();
  });

  it("defaults to Turnkey's production notarizer key, the core's constant equal to @turnkey/crypto's", async () => {
    const { PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY } = await import("@turnkey/crypto");
    expect(PRODUCTION_NOTARIZER_PUBLIC_KEY).toBe(PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY);
    expect(createSessionVerifier({ trustedOrganizations: "any" }).notarizerPublicKey).toBe(PRODUCTION_NOTARIZER_SIGN_PUBLIC_KEY);
  });
});
