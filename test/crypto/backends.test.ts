// The two native backends (node:crypto on Node, WebCrypto elsewhere) verify Turnkey's scheme alike.
import { describe, expect, it } from "vitest";
import { nativeCrypto, webCrypto } from "../../src/crypto/native.js";
import { parseP256PublicKey } from "../../src/crypto/p256.js";
import { createTestNotarizer } from "../../src/testing/index.js";

describe("native backends", () => {
  it.each([["node:crypto", nativeCrypto], ["WebCrypto (Bun, Deno, Workers)", webCrypto]])("%s verifies Turnkey's scheme and refuses a flipped bit", async (_name, backend) => {
    const notarizer = createTestNotarizer();
    const [header, payload, signature] = (await notarizer.sign({ organization_id: "org-1" })).split(".") as [string, string, string];
    const crypto = backend();
    const check = crypto.importP256Key(parseP256PublicKey(notarizer.publicKey)!);
    const digest = await crypto.sha256Ascii(`${header}.${payload}`);
    const raw = new Uint8Array(Buffer.from(signature, "base64url"));
    expect(await check(digest, raw)).toBe(true);
    raw[10] = raw[10]! ^ 1;
    expect(await check(digest, raw)).toBe(false);
  });
});
