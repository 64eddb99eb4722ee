import { TurnkeyAuthError } from "../errors.js";
import type { SessionStore } from "../store/session-store.js";
import type { TurnkeySession } from "./claims.js";

/** The store namespace of revoked sessions. */
export const REVOKED_PREFIX = "revoked:";

// The mirror drops entries past their session's expiry once this many were added since the last sweep.
const SWEEP_EVERY = 1024;

/**
 * What identifies a session to revoke: a verified {@link TurnkeySession} has it, and so does a
 * session key listed at Turnkey (its user, organization, public key and expiry).
 *
 * @example
 * ```ts
 * const session: RevocableSession = { organizationId, userId, publicKey, expiresAt: 1_800_000_000 };
 * ```
 */
export type RevocableSession = Pick<TurnkeySession, "organizationId" | "userId" | "publicKey" | "expiresAt">;

/** The revoked sessions a verifier refuses: a local mirror of the store when it can be watched. */
export interface Revocations {
  /** Whether `session` was revoked; a promise when the store must be asked. Throws or rejects `unavailable` when it cannot say. */
  isRevoked(session: TurnkeySession): boolean | Promise<boolean>;
  /** Records `session` as revoked until `expiresAt + toleranceSeconds`. */
  revoke(session: RevocableSession): Promise<void>;
}

/** Options of {@link createRevocations}. */
export interface RevocationsOptions {
  readonly store: SessionStore;
  readonly now: () => number;
  readonly clockToleranceSeconds: number;
  readonly onStoreError: ((error: unknown) => void) | undefined;
}

/**
 * The store key of a revoked session: what identifies the session (its key, organization and
 * user), not the token string, so every encoding of the token (the high-S/low-S twin of its
 * signature) is refused. Each part is URI-encoded so that no `:` inside one can shift another.
 *
 * @example
 * ```ts
 * revocationKey(session); // "revoked:<organization>:<user>:<public key, lowercase>"
 * ```
 */
export function revocationKey(session: Omit<RevocableSession, "expiresAt">): string {
  const parts = [session.organizationId, session.userId, session.publicKey.toLowerCase()];
  return REVOKED_PREFIX + parts.map(encodeURIComponent).join(":");
}

/** Creates the revocation list of one verifier over `options.store`. */
export function createRevocations(options: RevocationsOptions): Revocations {
  const { store, now, clockToleranceSeconds } = options;
  const keys = new WeakMap<RevocableSession, string>(); // sessions are cached objects: encode each once

  function keyOf(session: RevocableSession): string {
    let key = keys.get(session);
    if (key === undefined) {
      key = revocationKey(session);
      keys.set(session, key);
    }
    return key;
  }

  function report(error: unknown): void {
    try {
      options.onStoreError?.(error);
    } catch {
      // A failing hook must not turn a refusal into a crash.
    }
  }

  function unavailable(message: string, cause?: unknown): TurnkeyAuthError {
    return new TurnkeyAuthError("unavailable", message, cause === undefined ? {} : { cause });
  }

  // Without a watch, every check asks the store; a store that cannot answer never grants.
  if (store.watch === undefined) {
    return {
      isRevoked(session) {
        return store.get(keyOf(session)).then(
          (value) => value !== undefined,
          (error: unknown) => {
            report(error);
            throw unavailable("The revocation list could not be read", error);
          },
        );
      },
      async revoke(session) {
        await write(session);
      },
    };
  }

  // Revoked key → its session's `exp` (seconds). Loaded from the store, then kept current by it.
  const mirror = new Map<string, number>();
  let synced = false;
  let addedSinceSweep = 0;

  function add(key: string, expiresAt: number): void {
    mirror.set(key, expiresAt);
    if (++addedSinceSweep < SWEEP_EVERY) return;
    addedSinceSweep = 0;
    const oldest = now() / 1000 - clockToleranceSeconds;
    for (const [entry, expiry] of mirror) if (!(expiry > oldest)) mirror.delete(entry);
  }

  store.watch(REVOKED_PREFIX, {
    set(key, value) {
      // A value that is not a number keeps the session refused until the mirror is rebuilt: fail closed.
      const expiresAt = Number(value);
      add(key, Number.isFinite(expiresAt) ? expiresAt : Number.POSITIVE_INFINITY);
    },
    delete(key) {
      mirror.delete(key);
    },
    synced() {
      synced = true;
    },
    // While disconnected the mirror keeps answering with every revocation it has received: see
    // docs/revocation.md ("When the store is down").
    error: report,
  });

  // How long a revocation must last: until the session is refused as expired everywhere.
  function timeToLiveMs(session: RevocableSession): number {
    return Math.ceil((session.expiresAt + clockToleranceSeconds) * 1000 - now());
  }

  async function write(session: RevocableSession): Promise<void> {
    const ttlMs = timeToLiveMs(session);
    if (!(ttlMs >= 1)) return; // already refused as expired everywhere
    try {
      await store.set(keyOf(session), String(session.expiresAt), ttlMs);
    } catch (error) {
      report(error);
      throw unavailable("The revocation could not be saved to the store", error);
    }
  }

  return {
    isRevoked(session) {
      if (!synced) throw unavailable("The revocation list is not loaded yet");
      // Nothing revoked, the usual case: no key to build or look up.
      return mirror.size > 0 && mirror.has(keyOf(session));
    },
    async revoke(session) {
      // An expired session needs nothing; kept out of this mirror too, so all instances agree on it.
      if (!(timeToLiveMs(session) >= 1)) return;
      add(keyOf(session), session.expiresAt); // refused here at once, whatever the store does
      await write(session);
    },
  };
}
