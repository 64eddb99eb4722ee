// The cluster-wide half of "one sub-organization per contact (or OIDC identity)": a lock in the
// shared SessionStore around lookup-and-create, so two instances never both create one.
import type { SessionStore } from "../store/session-store.js";
import { isTurnkeyFlowError, TurnkeyFlowError } from "./errors.js";
import { withTimeout } from "./turnkey-call.js";

const FIRST_WAIT_MS = 20;
const LONGEST_WAIT_MS = 250;
// Lookup and create are each bounded by timeoutMs; the margin covers the store's round trips.
const LOCK_MARGIN_MS = 1000;

/** What {@link createOnce} needs: the store, the identity it locks, and how to find and create. */
export interface CreateOnceOptions<T> {
  store: SessionStore;
  /** Identifies the account across instances (parent organization + contact or OIDC identity); hashed into the key. */
  identity: string;
  timeoutMs: number;
  /** Looks the account up at Turnkey: `undefined` when it does not exist yet. */
  find: () => Promise<T | undefined>;
  /** Creates the account at Turnkey. */
  create: () => Promise<T>;
}

/** The store key locking one identity: `signup:<sha-256 hex>`, so no contact appears in the store. */
export async function signupLockKey(identity: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(identity)));
  return `signup:${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/** The lock's lifetime for a flow with `timeoutMs`: a crashed holder blocks sign-ups of that identity this long at most. */
export function signupLockTtl(timeoutMs: number): number {
  return 2 * timeoutMs + LOCK_MARGIN_MS;
}

/** The `store` option of a flow helper, checked for the methods the lock calls (a `TypeError`: a programming error). */
export function optionalStore(store: SessionStore | undefined): SessionStore | undefined {
  if (store === undefined) return undefined;
  const candidate = store as unknown as Record<string, unknown> | null;
  if (typeof candidate !== "object" || candidate === null || !["get", "setIfAbsent", "delete"].every((method) => typeof candidate[method] === "function")) {
    throw new TypeError("turnkey-session-auth flows: store must be a SessionStore (get, set, setIfAbsent, delete), e.g. createMemoryStore() or createRedisStore()");
  }
  return store;
}

function storeUnavailable(error: unknown): TurnkeyFlowError {
  return new TurnkeyFlowError("unavailable", "The shared store is unavailable, so no account is created now; try again", { cause: error });
}

async function inStore<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  try {
    return await withTimeout(Promise.resolve().then(call), timeoutMs, "the shared store");
  } catch (error) {
    throw storeUnavailable(error);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates the account unless another instance is creating it or has: takes the lock
 * (`setIfAbsent`), looks up again, creates. An instance that finds the lock taken polls it with
 * a growing pause until it is released or `timeoutMs` has passed, then looks up: the holder's
 * account is returned, never a second one created. A store failure is a 503 `unavailable` (never
 * an unguarded create). The lock is released on success, after a failed lookup, or on Turnkey's
 * refusal of the create (nothing was created); after a timeout or outage of the create, it may still
 * land at Turnkey, so the lock is left to expire. Release is get-then-delete, not atomic: should the lock expire in between and another
 * instance take it, that instance's lock is deleted; its TTL is the safety net for that race.
 */
export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<T> {
  const { store, timeoutMs, find, create } = options;
  const key = await signupLockKey(options.identity);
  const owner = crypto.randomUUID();
  const deadline = Date.now() + timeoutMs;
  let wait = FIRST_WAIT_MS;
  for (;;) {
    if (await inStore(() => store.setIfAbsent(key, owner, signupLockTtl(timeoutMs)), timeoutMs)) break;
    // Another instance holds the lock: wait for it to go (released, or expired after a crash).
    while ((await inStore(() => store.get(key), timeoutMs)) !== undefined) {
      if (Date.now() >= deadline) {
        const found = await find();
        if (found !== undefined) return found;
        throw new TurnkeyFlowError("unavailable", "Another sign-up of this account is in progress; try again");
      }
      await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
      wait = Math.min(wait * 2, LONGEST_WAIT_MS);
    }
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() >= deadline) throw new TurnkeyFlowError("unavailable", "Another sign-up of this account is in progress; try again");
    // The holder gave up without creating (or its lock expired): try to take the lock.
  }
  let creating = false;
  try {
    const result = (await find()) ?? ((creating = true), await create());
    await release(store, key, owner, timeoutMs);
    return result;
  } catch (error) {
    // A failed lookup created nothing; a create Turnkey refused (4xx) neither.
    if (!creating || (isTurnkeyFlowError(error) && error.status < 500)) await release(store, key, owner, timeoutMs);
    throw error;
  }
}

async function release(store: SessionStore, key: string, owner: string, timeoutMs: number): Promise<void> {
  try {
    await inStore(async () => {
      if ((await store.get(key)) === owner) await store.delete(key);
    }, timeoutMs);
  } catch {
    // The lock's TTL frees it: the account exists (or was refused) either way.
  }
}
