// The emulator's hex key and signature checks (issue 14): the length is bounded before the hex
// pattern reads the characters, and over-long values are refused.
import { describe, expect, it } from "vitest";
import { generateP256KeyPairHex, privateKeyFromHex, publicKeyFromHex, signDerHex, signRaw, verifyHexSignature } from "../../src/testing/emulator/keys.js";

const pair = generateP256KeyPairHex();
const key = privateKeyFromHex(pair);
const message = "stamped body";

describe("verifyHexSignature", () => {
  it("verifies DER and raw signatures", () => {
    expect(verifyHexSignature(pair.publicKey, signDerHex(key, message), message, "der")).toBe(true);
    expect(verifyHexSignature(pair.publicKey, signRaw(key, message).toString("hex"), message, "raw")).toBe(true);
  });

  it("refuses a DER signature longer than 72 bytes, and a raw one that is not 64 bytes", () => {
    const der = signDerHex(key, message);
    expect(verifyHexSignature(pair.publicKey, `${der}00`, message, "der")).toBe(false);
    expect(verifyHexSignature(pair.publicKey, "0".repeat(146), message, "der")).toBe(false);
    expect(verifyHexSignature(pair.publicKey, "ab".repeat(32 * 1024), message, "der")).toBe(false);
    expect(verifyHexSignature(pair.publicKey, `${signRaw(key, message).toString("hex")}00`, message, "raw")).toBe(false);
    expect(verifyHexSignature(pair.publicKey, "ab".repeat(32 * 1024), message, "raw")).toBe(false);
  });

  it("refuses non-hex signatures", () => {
    expect(verifyHexSignature(pair.publicKey, signDerHex(key, message).replace(/^30/, "zz"), message, "der")).toBe(false);
  });
});

describe("publicKeyFromHex", () => {
  it("accepts compressed and uncompressed keys, and refuses other lengths", () => {
    expect(publicKeyFromHex(pair.publicKey)).toBeDefined();
    expect(publicKeyFromHex(`${pair.publicKey}00`)).toBeUndefined();
    expect(publicKeyFromHex("02".repeat(32 * 1024))).toBeUndefined();
  });
});
