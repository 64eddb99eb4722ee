// The attestation a passkey sign-up sends is untrusted CBOR: the emulator's reader is bounded and
// linear, and whatever it is fed, the answer is the credential or Turnkey's "invalid authenticator
// attestation" (INVALID_ARGUMENT), never another error (which the server would answer as a 5xx).
import { createHash, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSoftwarePasskey } from "../../src/testing/index.js";
import { credentialFromAttestation } from "../../src/testing/emulator/attestation.js";
import { CborError, readCbor } from "../../src/testing/emulator/cbor.js";

const b64u = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** CBOR of small values, to build hostile attestation objects by hand. */
function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 256) return Buffer.from([(major << 5) | 24, value]);
  return Buffer.from([(major << 5) | 25, value >> 8, value & 0xff]);
}
const text = (value: string) => Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
const bytes = (value: Buffer) => Buffer.concat([head(2, value.length), value]);
const int = (value: number) => (value >= 0 ? head(0, value) : head(1, -1 - value));
const map = (entries: [Buffer, Buffer][]) => Buffer.concat([head(5, entries.length), ...entries.flat()]);

function authDataWith(credentialId: Buffer, coseKey: Buffer, flags = 0x45, rpId = "localhost"): Buffer {
  return Buffer.concat([createHash("sha256").update(rpId).digest(), Buffer.from([flags]), Buffer.alloc(4), Buffer.alloc(16), Buffer.from([0, credentialId.length]), credentialId, coseKey]);
}
const attestationWith = (authData: Buffer, fmt = "none") => map([[text("fmt"), text(fmt)], [text("attStmt"), map([])], [text("authData"), bytes(authData)]]);

function refusal(attestationObject: string, credentialId: string): { code?: unknown; message?: string } | undefined {
  try {
    credentialFromAttestation(attestationObject, credentialId);
    return undefined;
  } catch (error) {
    return error as { code?: unknown; message?: string };
  }
}

describe("credentialFromAttestation", () => {
  it("reads the software passkey's credential: its id, public key and relying party", () => {
    const passkey = createSoftwarePasskey({ rpId: "example.com" });
    const credential = credentialFromAttestation(passkey.registration.attestation.attestationObject, passkey.credentialId);
    expect(credential).toEqual({ credentialId: passkey.credentialId, publicKey: passkey.publicKey, rpIdHash: createHash("sha256").update("example.com").digest("hex") });
    // A padded credential id names the same credential.
    expect(credentialFromAttestation(passkey.registration.attestation.attestationObject, `${passkey.credentialId}==`).credentialId).toBe(passkey.credentialId);
  });

  it("accepts another attestation format without verifying its statement", () => {
    const passkey = createSoftwarePasskey();
    const decoded = readCbor(Buffer.from(passkey.registration.attestation.attestationObject, "base64url")).value as Map<string, Uint8Array>;
    const packed = attestationWith(Buffer.from(decoded.get("authData") as Uint8Array), "packed");
    expect(credentialFromAttestation(b64u(packed), passkey.credentialId).publicKey).toBe(passkey.publicKey);
  });

  it("refuses a credential id other than the attested one", () => {
    const passkey = createSoftwarePasskey();
    expect(refusal(passkey.registration.attestation.attestationObject, b64u(randomBytes(16)))).toMatchObject({ code: 3, message: expect.stringContaining("invalid authenticator attestation") });
  });

  it("refuses keys other than ES256 on P-256, and points off the curve", () => {
    const id = randomBytes(16);
    const coordinate = randomBytes(32);
    const rs256 = map([[int(1), int(3)], [int(3), int(-257)], [int(-1), bytes(randomBytes(256))], [int(-2), bytes(Buffer.from([1, 0, 1]))]]);
    const offCurve = map([[int(1), int(2)], [int(3), int(-7)], [int(-1), int(1)], [int(-2), bytes(coordinate)], [int(-3), bytes(coordinate)]]);
    const shortX = map([[int(1), int(2)], [int(3), int(-7)], [int(-1), int(1)], [int(-2), bytes(randomBytes(31))], [int(-3), bytes(coordinate)]]);
    expect(refusal(b64u(attestationWith(authDataWith(id, rs256))), b64u(id))?.message).toMatch(/ES256/);
    expect(refusal(b64u(attestationWith(authDataWith(id, offCurve))), b64u(id))?.message).toMatch(/not a point of P-256/);
    expect(refusal(b64u(attestationWith(authDataWith(id, shortX))), b64u(id))?.message).toMatch(/32 bytes/);
  });

  it("refuses authenticator data without the attested-credential or user-present flag, or with trailing bytes", () => {
    const passkey = createSoftwarePasskey();
    const decoded = readCbor(Buffer.from(passkey.registration.attestation.attestationObject, "base64url")).value as Map<string, Uint8Array>;
    const authData = Buffer.from(decoded.get("authData") as Uint8Array);
    for (const flags of [0x05, 0x44]) {
      const changed = Buffer.from(authData);
      changed[32] = flags;
      expect(refusal(b64u(attestationWith(changed)), passkey.credentialId)?.message).toMatch(/flags/);
    }
    expect(refusal(b64u(attestationWith(Buffer.concat([authData, Buffer.from([0])]))), passkey.credentialId)?.message).toMatch(/bytes after/);
    expect(refusal(b64u(Buffer.concat([attestationWith(authData), Buffer.from([0])])), passkey.credentialId)?.message).toMatch(/one CBOR map/);
  });

  it("refuses an attestation object over 16 KiB before decoding it", () => {
    expect(refusal("A".repeat(22_000), "AAAA")?.message).toMatch(/larger than 16384 bytes/);
  });

  it("answers INVALID_ARGUMENT, and only that, to random bytes and to any corruption of a valid attestation", () => {
    const passkey = createSoftwarePasskey();
    const valid = Buffer.from(passkey.registration.attestation.attestationObject, "base64url");
    const corrupted = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => {
        const copy = Buffer.from(valid);
        copy[at] = (copy[at] as number) ^ xor;
        return copy;
      }),
      fc.nat({ max: valid.length - 1 }).map((length) => valid.subarray(0, length)),
    );
    fc.assert(
      fc.property(corrupted, (input) => {
        const error = refusal(b64u(input), passkey.credentialId);
        // A flip inside the key's coordinates can still be a valid key: then it parses.
        if (error !== undefined) expect(error).toMatchObject({ code: 3, message: expect.stringContaining("invalid authenticator attestation") });
      }),
      { numRuns: 500 },
    );
  });
});

describe("readCbor, bounded and linear", () => {
  it("reads the items an attestation holds", () => {
    expect(readCbor(map([[text("a"), int(-7)], [int(3), bytes(Buffer.from([1, 2]))]])).value).toEqual(new Map<number | string, unknown>([["a", -7], [3, Buffer.from([1, 2])]]));
    expect(readCbor(Buffer.from([0x83, 0xf4, 0xf5, 0xf6])).value).toEqual([false, true, null]);
    expect(readCbor(Buffer.from([0x1b, 0, 0, 0, 0, 0, 0, 1, 0])).value).toBe(256);
  });

  it("refuses what it does not support, and what runs past the input", () => {
    const hostile: [string, number[]][] = [
      ["indefinite array", [0x9f, 0x01, 0xff]],
      ["indefinite bytes", [0x5f, 0x41, 0x00, 0xff]],
      ["tag", [0xc0, 0x01]],
      ["float", [0xfa, 0, 0, 0, 0]],
      ["undefined", [0xf7]],
      ["reserved additional info", [0x1c]],
      ["huge byte string", [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
      ["integer beyond 2^53", [0x1b, 0xff, 0, 0, 0, 0, 0, 0, 0]],
      ["array of 2^32-1 items in 5 bytes", [0x9a, 0xff, 0xff, 0xff, 0xff]],
      ["map of 2^32-1 entries", [0xba, 0xff, 0xff, 0xff, 0xff, 0, 0]],
      ["truncated text", [0x63, 0x61]],
      ["invalid UTF-8", [0x62, 0xc3, 0x28]],
      ["array map key", [0xa1, 0x80, 0x00]],
      ["duplicate map key", [0xa2, 0x01, 0x00, 0x01, 0x00]],
      ["empty input", []],
    ];
    for (const [, input] of hostile) expect(() => readCbor(Buffer.from(input))).toThrow(CborError);
  });

  it("refuses nesting deeper than an attestation needs, however long the input", () => {
    expect(readCbor(Buffer.from([0x81, 0x81, 0x81, 0x01])).value).toEqual([[[1]]]);
    expect(() => readCbor(Buffer.from([0x81, 0x81, 0x81, 0x81, 0x01]))).toThrow(/nested too deeply/);
    expect(() => readCbor(Buffer.alloc(16_384, 0x81))).toThrow(/nested too deeply/);
  });

  it("reads a large flat input in time linear in its length", () => {
    const items = (count: number) => Buffer.concat([Buffer.from([0x9a, count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff]), Buffer.alloc(count, 0x00)]);
    const started = performance.now();
    expect((readCbor(items(200_000)).value as unknown[]).length).toBe(200_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
