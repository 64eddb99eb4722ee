// What a refusal says when a token was sent where this app does not read it, and per-route options.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { misplacedToken } from "../../src/http/extract-token.js";
import { routeRequirements } from "../../src/http/route-options.js";
import { organizationFromParam } from "../../src/index.js";

const JWT_LIKE = "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.c2ln";

describe("misplacedToken", () => {
  it("finds a token sent with another scheme, or in a cookie the app does not read", () => {
    expect(misplacedToken({ headers: { authorization: JWT_LIKE } })).toMatch(/does not use the Bearer scheme/);
    expect(misplacedToken({ headers: { authorization: `Token ${JWT_LIKE}` } })).toMatch(/does not use the Bearer scheme/);
    expect(misplacedToken({ headers: new Headers({ cookie: `a=1; sid=${JWT_LIKE}` }) })).toMatch(/reads no cookie: set the "cookieName" option/);
    expect(misplacedToken({ headers: { cookie: `sid=${JWT_LIKE}` } }, { cookieName: "tk" })).toMatch(/not the one this app reads/);
  });

  it("finds nothing in a request without a token anywhere", () => {
    expect(misplacedToken({ headers: {} })).toBeUndefined();
    expect(misplacedToken({ headers: { cookie: "theme=dark; n=a.b.c; e=eyJ" } })).toBeUndefined();
    expect(misplacedToken({ headers: { authorization: "   " } })).toBeUndefined();
  });

  it("never quotes the request, and stays linear on hostile cookies", () => {
    const part = fc.constantFrom("eyJ", ".", ";", "=", " ", "a");
    fc.assert(
      fc.property(fc.string({ unit: part, maxLength: 200 }), (cookie) => {
        const found = misplacedToken({ headers: { cookie } });
        if (found !== undefined) expect(found).not.toContain("eyJ");
      }),
    );
    const huge = `${"x=eyJ.a.b.c; ".repeat(4000)}`;
    const started = performance.now();
    misplacedToken({ headers: { cookie: huge } });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("routeRequirements", () => {
  const policy = organizationFromParam("orgId");
  it("reads policies or { optional, policies }", () => {
    expect(routeRequirements([policy], "with()")).toEqual({ policies: [policy], optional: undefined });
    expect(routeRequirements([{ optional: true }], "with()")).toEqual({ policies: [], optional: true });
    expect(routeRequirements([{ policies: [policy], optional: false }], "with()")).toEqual({ policies: [policy], optional: false });
  });

  it("refuses anything else with a TypeError naming the option", () => {
    expect(() => routeRequirements([{ optional: "yes" }], "with()")).toThrow(/with\(\) option "optional" must be a boolean/);
    expect(() => routeRequirements([{ policies: "p" }], "with()")).toThrow(/with\(\) option "policies" must be an array/);
    expect(() => routeRequirements([policy, { optional: true }], "with()")).toThrow(/with\(\) takes policy functions, or \{ optional, policies, dpop \} then policy functions/);
    expect(() => routeRequirements([{ optional: true }, { dpop: "required" }], "with()")).toThrow(/with\(\) takes policy functions after its options/);
    expect(() => routeRequirements([{ dpop: "always" }], "with()")).toThrow(/with\(\) option "dpop" must be "required" or "optional"/);
    expect(routeRequirements([{ dpop: "required", policies: [policy] }, policy], "with()")).toEqual({ policies: [policy, policy], optional: undefined, dpop: "required" });
  });
});
