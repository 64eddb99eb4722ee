// The native ECDSA P-256 / SHA-256 backend. On Node, node:crypto's callback verify runs in OpenSSL
// on the libuv thread pool, off the event loop; every other runtime (Bun, Deno, Workers, browsers)
// gets WebCrypto. node:crypto is reached through process.getBuiltinModule, never a static import,
// so bundlers for non-Node targets see no Node built-in.
import type * as NodeCrypto from "node:crypto";
import type * as NodeOs from "node:os";
import { p256SpkiDer, rawSignatureToDer } from "./der.js";
import type { P256Point } from "./p256.js";

/**
 * Verifies ECDSA P-256 signatures (raw r‖s) over SHA-256(message) for one imported key. The
 * caller checks first that both scalars are in [1, n − 1] (`hasScalarsInRange`).
 */
export type P256SignatureCheck = (message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/** One native crypto implementation: SHA-256 and ECDSA P-256 verification. */
export interface NativeCrypto {
  /** SHA-256 of ASCII text, such as a JWS signing input (RFC 7515 §5.1) already checked as base64url. */
  sha256Ascii(text: string): Uint8Array | Promise<Uint8Array>;
  /** Imports a validated public key once and returns its verify function. */
  importP256Key(point: P256Point): P256SignatureCheck;
}

type GetBuiltinModule = {
  (id: "node:crypto"): typeof NodeCrypto | undefined;
  (id: "node:os"): typeof NodeOs | undefined;
};

function loadBuiltin<Id extends "node:crypto" | "node:os">(id: Id): (Id extends "node:os" ? typeof NodeOs : typeof NodeCrypto) | undefined {
  const processObject = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process;
  try {
    return processObject?.getBuiltinModule?.(id as "node:crypto") as never;
  } catch {
    return undefined;
  }
}

function loadNodeCrypto(): typeof NodeCrypto | undefined {
  return loadBuiltin("node:crypto");
}

/** Whether this process may use one CPU only (affinity, cpuset): the thread pool then adds no parallelism, only a hand-off. */
function runsOnOneCpu(): boolean {
  try {
    return loadBuiltin("node:os")?.availableParallelism?.() === 1;
  } catch {
    return false;
  }
}

function nodeBackend(nodeCrypto: typeof NodeCrypto, inline: boolean): NativeCrypto {
  // crypto.hash, a one-shot without a Hash object, exists from Node 20.12.
  const oneShot = typeof nodeCrypto.hash === "function" ? nodeCrypto.hash : undefined;
  return {
    sha256Ascii: (text) =>
      oneShot !== undefined ? oneShot("sha256", text, "buffer") : nodeCrypto.createHash("sha256").update(text, "latin1").digest(),
    importP256Key(point) {
      const key = nodeCrypto.createPublicKey({ key: Buffer.from(p256SpkiDer(point)), format: "der", type: "spki" });
      // Every caller has checked the scalars are in range (hasScalarsInRange), as rawSignatureToDer needs.
      if (inline) {
        return (message, signature) => {
          let valid = false;
          try {
            valid = nodeCrypto.verify("sha256", message, key, rawSignatureToDer(signature));
          } catch {
            // Any OpenSSL error is a failed verification: fail closed.
          }
          return Promise.resolve(valid);
        };
      }
      return (message, signature) =>
        new Promise((resolve) => {
          // Any OpenSSL error is a failed verification: fail closed.
          nodeCrypto.verify("sha256", message, key, rawSignatureToDer(signature), (error, valid) =>
            resolve(error === null && valid),
          );
        });
    },
  };
}

const ECDSA_SHA256 = { name: "ECDSA", hash: "SHA-256" } as const;

function webCryptoBackend(subtle: SubtleCrypto): NativeCrypto {
  return {
    async sha256Ascii(text) {
      const bytes = new Uint8Array(text.length);
      for (let index = 0; index < text.length; index++) bytes[index] = text.charCodeAt(index);
      return new Uint8Array(await subtle.digest("SHA-256", bytes));
    },
    importP256Key(point) {
      // The same SPKI the node backend imports: every WebCrypto takes it for ECDSA keys.
      const spki = p256SpkiDer(point) as BufferSource;
      const key = subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
      // A rejected import would surface on every verify; attach a handler so it is never unhandled.
      key.catch(() => undefined);
      return async (message, signature) => {
        try {
          return await subtle.verify(ECDSA_SHA256, await key, signature as BufferSource, message as BufferSource);
        } catch {
          return false;
        }
      };
    },
  };
}

let selected: NativeCrypto | undefined;

/**
 * The native backend this runtime has: node:crypto on Node, WebCrypto elsewhere. On Node signatures
 * are verified on the libuv thread pool, except when the process can use one CPU only.
 *
 * @example
 * ```ts
 * const check = nativeCrypto().importP256Key(point);
 * await check(message, signature); // true or false
 * ```
 */
export function nativeCrypto(): NativeCrypto {
  if (selected !== undefined) return selected;
  const nodeCrypto = loadNodeCrypto();
  if (nodeCrypto !== undefined) return (selected = nodeBackend(nodeCrypto, runsOnOneCpu()));
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) throw new Error("turnkey-session-auth needs node:crypto or WebCrypto (crypto.subtle)");
  return (selected = webCryptoBackend(subtle));
}

/**
 * The WebCrypto backend, whatever the runtime: lets tests prove both paths agree.
 *
 * @example
 * ```ts
 * const check = webCrypto().importP256Key(point);
 * ```
 */
export function webCrypto(): NativeCrypto {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (subtle === undefined) throw new Error("WebCrypto (crypto.subtle) is not available in this runtime");
  return webCryptoBackend(subtle);
}
