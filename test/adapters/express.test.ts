import express from "express";
import { expect, it } from "vitest";
import { turnkeyAuth } from "../../src/adapters/express.js";
import { createFixtures, specFor } from "./cases.js";
import { runExpressSuite } from "./express-suite.js";

runExpressSuite(express, "express", () => {
  // Framework-independent (no app involved): run once, here.
  it("exposes the verifier and refuses bad options before serving", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    expect(auth.verifier.notarizerPublicKey).toBe(f.notarizer.publicKey);
    expect(() => auth.with("orgId" as never)).toThrow(TypeError);
    expect(() => turnkeyAuth({ ...specFor(f).options, onError: "log" as never })).toThrow(/onError/);
    expect(() => turnkeyAuth({} as never)).toThrow(/trustedOrganizations/);
  });
});
