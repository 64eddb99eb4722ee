// `npm run demo` must keep working: run its main function and require every step to pass.
import { describe, expect, it } from "vitest";
import { runDemo } from "../examples/demo.js";

describe("npm run demo", () => {
  it("walks through sign-up, login and every refusal, each step as expected", async () => {
    const lines: string[] = [];
    const started = performance.now();
    const { ok, steps } = await runDemo({ log: (line) => lines.push(line) });
    expect(steps.map((step) => [step.name, step.ok])).toEqual([
      ["OTP sign-up of a new user", true],
      ["OTP login of the same user", true],
      ["passkey sign-up of a new user", true],
      ["passkey login of the same user", true],
      ["OAuth login (OIDC ID token), twice", true],
      ["protected route with the session", true],
      ["another organization's resource", true],
      ["logout, refused by a second instance", true],
      ["expired session", true],
      ["session from a foreign Turnkey organization", true],
    ]);
    expect(ok).toBe(true);
    expect(performance.now() - started).toBeLessThan(10_000);
    // One readable line per step, and never a token (JWTs start with "eyJ").
    expect(lines.filter((line) => /^[✓✗] /.test(line))).toHaveLength(10);
    expect(lines.join("\n")).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    expect(steps.find((step) => step.name === "logout, refused by a second instance")?.detail).toMatch(/401 session_revoked on both/);
    expect(steps.find((step) => step.name === "expired session")?.detail).toMatch(/401 token_expired/);
    expect(steps.find((step) => step.name === "session from a foreign Turnkey organization")?.detail).toMatch(/401 untrusted_organization/);
  });
});
