// Project Wycheproof ECDSA P-256 / SHA-256 vectors against the two native backends (node:crypto
// and WebCrypto), behind the verifier's scalar-range guard and without it, so the two native paths
// agree with each other and with the vectors.
//
// The vectors live outside the repo, in ../shared/vectors (see its README); they are read in
// place, never copied. When that directory is absent every suite here is skipped.
//
// Result semantics (Wycheproof): "valid" must verify, "invalid" must not, "acceptable" may go
// either way. The pinned files (testvectors_v1, commit dac1dd47) contain no "acceptable" P-256
// vectors; if a future file adds some, they are reported in the counts and not asserted.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { nativeCrypto, webCrypto, type NativeCrypto } from "../../src/crypto/native.js";
import { hasScalarsInRange, parseP256PublicKey } from "../../src/crypto/p256.js";

const VECTORS_DIR = new URL("../../../shared/vectors/", import.meta.url);
const P1363_FILE = new URL("ecdsa_secp256r1_sha256_p1363_test.json", VECTORS_DIR);
const DER_FILE = new URL("ecdsa_secp256r1_sha256_test.json", VECTORS_DIR);
const haveVectors = existsSync(fileURLToPath(P1363_FILE)) && existsSync(fileURLToPath(DER_FILE));

type WycheproofResult = "valid" | "invalid" | "acceptable";

interface WycheproofTest {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly msg: string;
  readonly sig: string;
  readonly result: WycheproofResult;
}

interface WycheproofGroup {
  readonly publicKey: { readonly uncompressed: string; readonly wx: string; readonly wy: string };
  readonly sha: string;
  readonly tests: readonly WycheproofTest[];
}

interface WycheproofFile {
  readonly algorithm: string;
  readonly numberOfTests: number;
  readonly testGroups: readonly WycheproofGroup[];
}

interface Vector {
  readonly group: WycheproofGroup;
  readonly test: WycheproofTest;
}

function load(file: URL): WycheproofFile {
  return JSON.parse(readFileSync(file, "utf8")) as WycheproofFile;
}

function vectorsOf(file: WycheproofFile): Vector[] {
  return file.testGroups.flatMap((group) => group.tests.map((test) => ({ group, test })));
}

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function hex(data: Uint8Array): string {
  return Buffer.from(data).toString("hex");
}

/** SEC 1 compressed form of an uncompressed `04‖X‖Y` key. */
function compress(uncompressedHex: string): string {
  const raw = bytes(uncompressedHex);
  const yIsOdd = ((raw[64] as number) & 1) === 1;
  return (yIsOdd ? "03" : "02") + hex(raw.subarray(1, 33));
}

/**
 * Strict DER (X.690 §10) `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` to raw 64-byte
 * `r‖s`, or `undefined` when the encoding is not exactly DER or a value does not fit in 256 bits:
 * definite short-form lengths only (a P-256 signature is at most 72 bytes, so a long form is never
 * minimal), no trailing bytes, minimal non-negative INTEGERs. Zero and values >= n do convert: the
 * primitive, not the converter, must refuse those.
 */
function strictDerToRaw(der: Uint8Array): Uint8Array | undefined {
  let offset = 0;
  const readLength = (): number | undefined => {
    const length = der[offset++];
    // Long form (>= 0x80) is only DER for lengths >= 128, impossible for these sequences.
    return length === undefined || length >= 0x80 ? undefined : length;
  };
  const readInteger = (): Uint8Array | undefined => {
    if (der[offset++] !== 0x02) return undefined;
    const length = readLength();
    if (length === undefined || length === 0 || offset + length > der.length) return undefined;
    let value = der.subarray(offset, offset + length);
    offset += length;
    const first = value[0] as number;
    if ((first & 0x80) !== 0) return undefined; // negative
    if (length > 1 && first === 0x00 && ((value[1] as number) & 0x80) === 0) return undefined; // not minimal
    if (first === 0x00 && length > 1) value = value.subarray(1);
    if (value.length > 32) return undefined; // >= 2^256: cannot be a P-256 scalar
    const padded = new Uint8Array(32);
    padded.set(value, 32 - value.length);
    return padded;
  };
  if (der[offset++] !== 0x30) return undefined;
  const sequenceLength = readLength();
  if (sequenceLength === undefined || offset + sequenceLength !== der.length) return undefined;
  const r = readInteger();
  if (r === undefined) return undefined;
  const s = readInteger();
  if (s === undefined || offset !== der.length) return undefined;
  const raw = new Uint8Array(64);
  raw.set(r, 0);
  raw.set(s, 32);
  return raw;
}

type Verdict = (group: WycheproofGroup, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

/** A backend on its own, without the verifier's scalar-range guard; each group key imported once. */
function viaBackend(backend: NativeCrypto, keyOf = (group: WycheproofGroup) => group.publicKey.uncompressed): Verdict {
  const checks = new Map<string, (message: Uint8Array, signature: Uint8Array) => Promise<boolean>>();
  return (group, message, signature) => {
    const key = keyOf(group);
    let check = checks.get(key);
    if (check === undefined) {
      const point = parseP256PublicKey(key);
      if (point === undefined) throw new Error(`group key is not on P-256: ${key}`);
      check = backend.importP256Key(point);
      checks.set(key, check);
    }
    return check(message, signature);
  };
}

/** A backend behind the same guard the verifier uses (`hasScalarsInRange`): how session tokens are checked. */
function guarded(raw: Verdict): Verdict {
  return async (group, message, signature) => hasScalarsInRange(signature) && (await raw(group, message, signature));
}

const viaNodeCrypto = guarded(viaBackend(nativeCrypto()));
const viaCompressedKey = guarded(viaBackend(nativeCrypto(), (group) => compress(group.publicKey.uncompressed)));
const viaWebCrypto = () => viaBackend(webCrypto());
const viaGuardedWebCrypto = () => guarded(viaWebCrypto());

interface Mismatch {
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly expected: WycheproofResult;
  readonly got: boolean | string;
}

/** Runs every vector; returns the ones whose verdict contradicts a valid/invalid result. */
async function mismatches(
  vectors: readonly Vector[],
  signatureOf: (test: WycheproofTest) => Uint8Array | undefined,
  verdict: Verdict,
): Promise<Mismatch[]> {
  const found: Mismatch[] = [];
  for (const { group, test } of vectors) {
    const signature = signatureOf(test);
    const report = (got: boolean | string): void => {
      found.push({ tcId: test.tcId, comment: test.comment, flags: test.flags, expected: test.result, got });
    };
    if (signature === undefined) {
      // Not decodable as strict DER: only an invalid vector may be like that.
      if (test.result === "valid") report("not strict DER");
      continue;
    }
    let verified: boolean;
    try {
      verified = await verdict(group, bytes(test.msg), signature);
    } catch (error) {
      report(`threw ${String(error)}`);
      continue;
    }
    if (typeof verified !== "boolean") report(`returned ${typeof verified}`);
    else if (test.result === "valid" && !verified) report(false);
    else if (test.result === "invalid" && verified) report(true);
  }
  return found;
}

describe.skipIf(!haveVectors)("Wycheproof ECDSA P-256 / SHA-256, IEEE P1363 (raw r‖s)", () => {
  const file = haveVectors ? load(P1363_FILE) : undefined;
  const vectors = file === undefined ? [] : vectorsOf(file);
  const rawSignature = (test: WycheproofTest): Uint8Array => bytes(test.sig);

  it("is the P-256 / SHA-256 file, read whole", () => {
    expect(file?.algorithm).toBe("ECDSA");
    expect(vectors.length).toBe(file?.numberOfTests);
    expect(new Set(file?.testGroups.map((group) => group.sha))).toEqual(new Set(["SHA-256"]));
    const counts = { valid: 0, invalid: 0, acceptable: 0 };
    for (const { test } of vectors) counts[test.result]++;
    // Both kinds are present in quantity, so neither "always true" nor "always false" passes.
    expect(counts.valid).toBeGreaterThan(100);
    expect(counts.invalid).toBeGreaterThan(50);
    // Documented: the pinned file has no "acceptable" vectors (they would not be asserted).
    expect(counts.acceptable).toBe(0);
  });

  it("every group key parses, and its compressed form decompresses to the same point", () => {
    for (const group of file?.testGroups ?? []) {
      const point = parseP256PublicKey(group.publicKey.uncompressed);
      expect(point, group.publicKey.uncompressed).toBeDefined();
      const fromCompressed = parseP256PublicKey(compress(group.publicKey.uncompressed));
      expect(fromCompressed && hex(fromCompressed.x) + hex(fromCompressed.y)).toBe(group.publicKey.uncompressed.slice(2));
    }
  });

  it("node:crypto, guarded: every valid vector verifies, every invalid one does not", async () => {
    expect(await mismatches(vectors, rawSignature, viaNodeCrypto)).toEqual([]);
  });

  it("node:crypto with the compressed key gives the same verdicts", async () => {
    expect(await mismatches(vectors, rawSignature, viaCompressedKey)).toEqual([]);
  });

  it("the WebCrypto backend, unguarded, gives the same verdicts", async () => {
    expect(await mismatches(vectors, rawSignature, viaWebCrypto())).toEqual([]);
  });

  it("the WebCrypto backend behind the scalar-range guard gives the same verdicts", async () => {
    expect(await mismatches(vectors, rawSignature, viaGuardedWebCrypto())).toEqual([]);
  });

  it("both backends agree vector by vector", async () => {
    const web = viaWebCrypto();
    const disagreements: number[] = [];
    for (const { group, test } of vectors) {
      const message = bytes(test.msg);
      const signature = bytes(test.sig);
      const [node, webVerdict] = await Promise.all([viaNodeCrypto(group, message, signature), web(group, message, signature)]);
      if (node !== webVerdict) disagreements.push(test.tcId);
    }
    expect(disagreements).toEqual([]);
  });

  it("high-S signatures are among the valid vectors and verify", async () => {
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const highS = vectors.filter(
      ({ test }) => test.result === "valid" && test.sig.length === 128 && BigInt(`0x${test.sig.slice(64)}`) > n / 2n,
    );
    expect(highS.length).toBeGreaterThan(10);
    for (const { group, test } of highS) {
      expect(await viaNodeCrypto(group, bytes(test.msg), bytes(test.sig)), `tcId ${test.tcId}`).toBe(true);
    }
  });
});

describe.skipIf(!haveVectors)("Wycheproof ECDSA P-256 / SHA-256, DER through a strict DER→raw converter", () => {
  const file = haveVectors ? load(DER_FILE) : undefined;
  const vectors = file === undefined ? [] : vectorsOf(file);
  const convertedSignature = (test: WycheproofTest): Uint8Array | undefined => strictDerToRaw(bytes(test.sig));

  it("is the P-256 / SHA-256 DER file, read whole", () => {
    expect(file?.algorithm).toBe("ECDSA");
    expect(vectors.length).toBe(file?.numberOfTests);
    expect(vectors.filter(({ test }) => test.result === "acceptable")).toEqual([]);
  });

  it("the converter is strict: it decodes every valid vector and refuses the BER and broken encodings", () => {
    const valid = vectors.filter(({ test }) => test.result === "valid");
    expect(valid.length).toBeGreaterThan(100);
    expect(valid.filter(({ test }) => convertedSignature(test) === undefined).map(({ test }) => test.tcId)).toEqual([]);
    const refused = vectors.filter(({ test }) => convertedSignature(test) === undefined);
    // Every refusal is an invalid vector, and the BER/encoding families are refused.
    expect(refused.every(({ test }) => test.result === "invalid")).toBe(true);
    for (const flag of ["BerEncodedSignature", "InvalidEncoding", "MissingZero"]) {
      const withFlag = vectors.filter(({ test }) => test.flags.includes(flag));
      expect(withFlag.length, flag).toBeGreaterThan(0);
      expect(withFlag.every(({ test }) => convertedSignature(test) === undefined), flag).toBe(true);
    }
    // Unit checks of the converter itself.
    expect(strictDerToRaw(bytes("3006020101020102"))).toEqual(Uint8Array.from([...Array(31).fill(0), 1, ...Array(31).fill(0), 2]));
    expect(strictDerToRaw(bytes("300602010102010200"))).toBeUndefined(); // trailing byte
    expect(strictDerToRaw(bytes("30810602010102010200"))).toBeUndefined(); // long-form length
    expect(strictDerToRaw(bytes("300702020001020102"))).toBeUndefined(); // non-minimal integer
    expect(strictDerToRaw(bytes("3006020181020102"))).toBeUndefined(); // negative integer
  });

  it("node:crypto, guarded: every valid vector verifies, every invalid one does not", async () => {
    expect(await mismatches(vectors, convertedSignature, viaNodeCrypto)).toEqual([]);
  });

  it("the WebCrypto backend gives the same verdicts, guarded or not", async () => {
    expect(await mismatches(vectors, convertedSignature, viaWebCrypto())).toEqual([]);
    expect(await mismatches(vectors, convertedSignature, viaGuardedWebCrypto())).toEqual([]);
  });

  it("raw DER bytes never verify (the check takes r‖s only)", async () => {
    const accepted: number[] = [];
    for (const { group, test } of vectors) {
      if (await viaNodeCrypto(group, bytes(test.msg), bytes(test.sig))) accepted.push(test.tcId);
    }
    expect(accepted).toEqual([]);
  });
});
