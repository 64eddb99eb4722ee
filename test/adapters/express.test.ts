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
    expect(() => turnkeyAuth({ ...specFor(f).options, pathMatching: { sensitive: true } as never })).toThrow(/"pathMatching"/);
  });

  it("passes a request with a cached session on at once: next() is called before the middleware returns, which returns no promise", async () => {
    const f = await createFixtures();
    const auth = turnkeyAuth(specFor(f).options);
    const token = await f.token();
    const authorization = `Bearer ${token}`;
    const req = { method: "GET", originalUrl: "/me", headers: { authorization }, rawHeaders: ["Authorization", authorization] } as unknown as express.Request;
    await auth.verifier.verify(token); // now cached
    const calls: unknown[][] = [];
    const returned = auth(req, {} as express.Response, (...args: unknown[]) => void calls.push(args));
    expect(returned).toBeUndefined();
    expect(calls).toEqual([[]]);
    expect(req.turnkey?.userId).toBe("user-1");
  });
});
