import { describe, expect, it } from "vitest";
import { createRouteSessions } from "../../src/http/route-sessions.js";
import type { TurnkeySession } from "../../src/index.js";

const session = { userId: "user-1", organizationId: "org-1" } as TurnkeySession;

describe("createRouteSessions (what with() reuses)", () => {
  it("records nothing until a route asks for policies, then remembers per request", () => {
    const routeSessions = createRouteSessions<object>();
    const early = {};
    routeSessions.remember(early, session);
    expect(routeSessions.recall(early)).toBeUndefined(); // that route then authenticates itself
    const policies = routeSessions.policiesForRoute([() => true]);
    expect(policies).toHaveLength(1);
    expect(Object.isFrozen(policies)).toBe(true);
    const later = {};
    routeSessions.remember(later, session);
    expect(routeSessions.recall(later)).toBe(session);
    expect(routeSessions.recall({})).toBeUndefined();
  });

  it("refuses anything but policy functions, at route definition", () => {
    const routeSessions = createRouteSessions<object>();
    expect(() => routeSessions.policiesForRoute(["orgId"])).toThrow(new TypeError("turnkey-session-auth: with() takes policy functions"));
    const request = {};
    routeSessions.remember(request, session);
    expect(routeSessions.recall(request)).toBeUndefined();
  });

  it("keeps each instance's records apart, and adds nothing that string keys or JSON show", () => {
    const first = createRouteSessions<object>();
    const second = createRouteSessions<object>();
    first.policiesForRoute([() => true]);
    second.policiesForRoute([() => true]);
    const request = { url: "/me" };
    first.remember(request, session);
    expect(first.recall(request)).toBe(session);
    expect(second.recall(request)).toBeUndefined(); // another instance may trust more or check less
    expect(Object.keys(request)).toEqual(["url"]);
    expect(JSON.stringify(request)).toBe('{"url":"/me"}');
    expect(Object.getOwnPropertySymbols(request)).toHaveLength(1); // under a symbol only `first` holds
  });

  it("with a holder, keeps the record there, naming its request: a shared holder never hands it to another request", () => {
    const routeSessions = createRouteSessions<object>();
    routeSessions.policiesForRoute([() => true]);
    const holder = {};
    const first = {};
    routeSessions.remember(first, session, holder);
    expect(routeSessions.recall(first, holder)).toBe(session);
    expect(Object.getOwnPropertySymbols(first)).toHaveLength(0); // nothing added to the request
    expect(routeSessions.recall({}, holder)).toBeUndefined(); // another request, same holder
    expect(routeSessions.recall(first)).toBeUndefined(); // not on the request itself
  });
});
