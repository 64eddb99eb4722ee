import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { p256SpkiDer, rawSignatureToDer } from "../../src/crypto/der.js";
import { hasScalarsInRange, parseP256PublicKey } from "../../src/crypto/p256.js";

// An independent encoder, from the integers: X.690 §8.3 (minimal, signed, big-endian).
function derInteger(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  return `02${(hex.length / 2).toString(16).padStart(2, "0")}${hex}`;
}
function expectedDer(raw: Uint8Array): string {
  const hex = Buffer.from(raw).toString("hex");
  const body = derInteger(BigInt(`0x${hex.slice(0, 64)}`)) + derInteger(BigInt(`0x${hex.slice(64)}`));
  return `30${(body.length / 2).toString(16).padStart(2, "0")}${body}`;
}

const ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const scalar = fc.bigInt({ min: 1n, max: ORDER - 1n });
// Small and large scalars too: leading zero bytes and a high first bit are where DER differs.
const anyScalar = fc.oneof(scalar, fc.bigInt({ min: 1n, max: 0xffffn }), fc.bigInt({ min: ORDER - 0xffffn, max: ORDER - 1n }));
const raw = (r: bigint, s: bigint) => Buffer.from(r.toString(16).padStart(64, "0") + s.toString(16).padStart(64, "0"), "hex");

describe("rawSignatureToDer", () => {
  it("encodes every in-range r ‖ s as the minimal DER an independent encoder gives", () => {
    fc.assert(
      fc.property(anyScalar, anyScalar, (r, s) => {
        const signature = raw(r, s);
        expect(hasScalarsInRange(signature)).toBe(true);
        expect(Buffer.from(rawSignatureToDer(signature)).toString("hex")).toBe(expectedDer(signature));
      }),
    );
    expect(Buffer.from(rawSignatureToDer(raw(1n, 0x80n))).toString("hex")).toBe("3007020101020200" + "80");
  });

  it("turns a signature of any other length into one that never verifies", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const message = Buffer.from("message");
    const signature = sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
    for (const wrong of [Buffer.concat([signature, Buffer.from([0])]), signature.subarray(0, 63), Buffer.alloc(0)]) {
      expect(rawSignatureToDer(wrong)).toHaveLength(0);
      let valid: boolean;
      try {
        valid = verify("sha256", message, publicKey, rawSignatureToDer(wrong));
      } catch {
        valid = false; // as the library treats any OpenSSL error
      }
      expect(valid).toBe(false);
    }
  });

  it("turns real raw signatures into DER that OpenSSL verifies, and keeps a wrong one wrong", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    for (let index = 0; index < 50; index++) {
      const message = Buffer.from(`message ${index}`);
      const signature = sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
      expect(verify("sha256", message, publicKey, rawSignatureToDer(signature))).toBe(true);
      expect(verify("sha256", Buffer.from(`other ${index}`), publicKey, rawSignatureToDer(signature))).toBe(false);
    }
  });
});

describe("p256SpkiDer", () => {
  it("is the SubjectPublicKeyInfo of the same point", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const point = parseP256PublicKey(Buffer.from(publicKey.export({ format: "der", type: "spki" })).subarray(26).toString("hex"))!;
    expect(point).toBeDefined();
    const spki = p256SpkiDer(point);
    expect(Buffer.from(spki)).toEqual(publicKey.export({ format: "der", type: "spki" }));
    expect(createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }).export({ format: "jwk" })).toEqual(publicKey.export({ format: "jwk" }));
  });
});
