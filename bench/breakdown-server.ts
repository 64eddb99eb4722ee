// Child process of bench/breakdown.ts: one Koa app (@koa/router, as examples/koa) whose routes
// all answer /me's body, each adding one more piece of the protected path, so the cost of each
// piece is read off side by side. Usage: breakdown-server.ts <notarizerPublicKeyHex>
import Router from "@koa/router";
import Koa, { type Context, type Next } from "koa";
import type { AddressInfo } from "node:net";
import { turnkeyAuth } from "../src/adapters/koa.js";
import { uncheckedBearerToken } from "../src/http/extract-token.js";
import { organizationFromParam, type TurnkeySession } from "../src/index.js";
import { synchronousVerify } from "../src/jwt/verifier.js";
import { BENCH_ORGANIZATION_ID } from "./tokens.js";

const options = { trustedOrganizations: [BENCH_ORGANIZATION_ID], notarizerPublicKey: process.argv[2]! };
const recording = turnkeyAuth(options); // has a with() route: records sessions per request for it
const plain = turnkeyAuth(options); // no with(): records nothing
const verifyNow = synchronousVerify(plain.verifier);
const unverified: TurnkeySession = Object.freeze({
  userId: "6912b819-f4df-40f4-a192-20ee43090974",
  organizationId: BENCH_ORGANIZATION_ID,
  sessionType: "SESSION_TYPE_READ_WRITE",
  expiresAt: 1748876837,
}) as TurnkeySession;

// A control: pure computation for BUSY_NS nanoseconds (default 800, about what `bench/perf-diff.ts`
// finds the library's own frames take per warm Koa request), an xorshift loop calibrated once here.
function busy(iterations: number): number {
  let x = 1;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}
const CALIBRATION_ITERATIONS = 20_000_000;
const calibrationStart = process.hrtime.bigint();
busy(CALIBRATION_ITERATIONS);
const iterationsPerNs = CALIBRATION_ITERATIONS / Number(process.hrtime.bigint() - calibrationStart);
const busyIterations = Math.round(iterationsPerNs * Number(process.env.BUSY_NS ?? 800));
let busySink = 0;

// The library's own header read, on the one field it needs.
function bearerTokenOf(ctx: Context): string | undefined {
  return uncheckedBearerToken({ method: "GET", path: "", params: {}, query: {}, headers: {}, rawHeaders: ctx.req.rawHeaders });
}

// A hand-made cache hit, as the verifier's: an integer index from the value's tail, a Map, one
// string comparison and the clock. /hit-sliced compares the token sliced out of the header (as a
// token-keyed hit does), /hit-received the header value as received (as a known Authorization
// value is matched): V8 compares a sliced string in its runtime, two received ones inline.
const slicedTokens = new Map<number, string>();
const receivedValues = new Map<number, string>();
function handMadeHit(ctx: Context, handMadeCache: Map<number, string>, credential: string): void {
  let index = 0;
  for (let position = credential.length - 2; position >= credential.length - 11; position--) index = (Math.imul(index, 31) + credential.charCodeAt(position)) | 0;
  index &= 0x3fffffff;
  const known = handMadeCache.get(index);
  if (known === undefined) handMadeCache.set(index, credential);
  else if (known !== credential || !(unverified.expiresAt + 1e9 > Date.now() / 1000)) ctx.throw(401);
  ctx.state.turnkey = unverified;
}

function me(ctx: Context): void {
  const { userId, organizationId, sessionType, expiresAt } = ctx.state.turnkey ?? unverified;
  ctx.body = { userId, organizationId, sessionType, expiresAt };
}

// The routes, in the order bench/breakdown.ts measures them (it describes each one).
const router = new Router();
router.get("/orgs/:orgId", recording.with(organizationFromParam("orgId")), me);
router.get("/unprotected", me);
router.get("/empty", (ctx: Context, next: Next) => {
  ctx.state.turnkey = unverified;
  return next();
}, me);
router.get("/extract", (ctx: Context, next: Next) => {
  if (bearerTokenOf(ctx) === undefined) ctx.throw(401);
  ctx.state.turnkey = unverified;
  return next();
}, me);
router.get("/busy", (ctx: Context, next: Next) => {
  if (bearerTokenOf(ctx) === undefined) ctx.throw(401);
  busySink ^= busy(busyIterations);
  ctx.state.turnkey = unverified;
  return next();
}, me);
router.get("/verify", (ctx: Context, next: Next) => {
  const token = bearerTokenOf(ctx);
  if (token === undefined) ctx.throw(401);
  const session = verifyNow(token);
  if (session instanceof Promise) {
    return session.then((verified) => {
      ctx.state.turnkey = verified;
      return next();
    });
  }
  ctx.state.turnkey = session;
  return next();
}, me);
router.get("/hit-sliced", (ctx: Context, next: Next) => {
  handMadeHit(ctx, slicedTokens, bearerTokenOf(ctx)!);
  return next();
}, me);
router.get("/hit-received", (ctx: Context, next: Next) => {
  const raw = ctx.req.rawHeaders;
  let authorization = "";
  for (let index = 0; index < raw.length; index += 2) if (raw[index]!.toLowerCase() === "authorization") authorization = raw[index + 1]!;
  handMadeHit(ctx, receivedValues, authorization);
  return next();
}, me);
router.get("/auth", plain, me);
router.get("/protect", plain.protect(me));
router.get("/auth-recording", recording, me);

const app = new Koa();
app.use(router.routes());
const server = app.listen(0, "127.0.0.1");
server.once("listening", () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on("disconnect", () => process.exit(0));
