import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64Url, encodeBase64Url } from "../../src/crypto/base64url.js";
import { hasScalarsInRange, parseP256PublicKey } from "../../src/crypto/p256.js";

describe("strict base64url", () => {
  it("round-trips any bytes, agreeing with Node's encoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64url"));
        expect(decodeBase64Url(text)).toEqual(bytes);
      }),
    );
  });

  it("accepts only the canonical spelling: anything Node would silently repair is refused", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const decoded = decodeBase64Url(text);
        if (decoded !== undefined) expect(encodeBase64Url(decoded)).toBe(text);
      }),
    );
    expect(decodeBase64Url("eyJhIjoxfQ")).toEqual(new TextEncoder().encode('{"a":1}'));
    for (const bad of ["eyJhIjoxfQ==", "eyJh Ijox", "eyJh+Ijox", "eyJh/Ijox", "eyJhIjoxfR", "a", "ab*c", "é"]) {
      expect(decodeBase64Url(bad), bad).toBeUndefined();
    }
  });
});

describe("P-256 key and scalar checks", () => {
  const generator = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

  it("parses the generator uncompressed and compressed to the same point", () => {
    const point = parseP256PublicKey(generator)!;
    expect(Buffer.from(point.x).toString("hex")).toBe(generator.slice(2, 66));
    const compressed = parseP256PublicKey("03" + generator.slice(2, 66))!;
    expect(Buffer.from(compressed.y).toString("hex")).toBe(generator.slice(66));
  });

  it("refuses points off the curve, the wrong prefix, and the wrong length", () => {
    expect(parseP256PublicKey(generator.slice(0, -2) + "00")).toBeUndefined();
    expect(parseP256PublicKey("05" + generator.slice(2))).toBeUndefined();
    expect(parseP256PublicKey("00")).toBeUndefined();
    expect(parseP256PublicKey(generator + "00")).toBeUndefined();
    expect(parseP256PublicKey("zz" + generator.slice(2))).toBeUndefined();
  });

  it("keeps r and s within [1, n-1], high-S included", () => {
    const n = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");
    const nMinus1 = Buffer.from(n);
    nMinus1[31] = nMinus1[31]! - 1;
    const one = Buffer.alloc(32);
    one[31] = 1;
    expect(hasScalarsInRange(Buffer.concat([one, nMinus1]))).toBe(true);
    expect(hasScalarsInRange(Buffer.concat([n, one]))).toBe(false);
    expect(hasScalarsInRange(Buffer.concat([one, Buffer.alloc(32)]))).toBe(false);
    expect(hasScalarsInRange(Buffer.alloc(64))).toBe(false);
    expect(hasScalarsInRange(Buffer.alloc(63, 1))).toBe(false);
  });

  it("hasScalarsInRange: the boundaries, for r and for s", () => {
    const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const scalarBytes = (r: bigint, s: bigint): Uint8Array =>
      Uint8Array.from(Buffer.from(r.toString(16).padStart(64, "0") + s.toString(16).padStart(64, "0"), "hex"));
    for (const [value, inRange] of [[0n, false], [1n, true], [N - 1n, true], [N, false], [N + 1n, false], [(1n << 256n) - 1n, false]] as const) {
      expect(hasScalarsInRange(scalarBytes(value, 1n)), `r = ${value}`).toBe(inRange);
      expect(hasScalarsInRange(scalarBytes(1n, value)), `s = ${value}`).toBe(inRange);
    }
    expect(hasScalarsInRange(new Uint8Array(65).fill(1))).toBe(false);
  });
});
