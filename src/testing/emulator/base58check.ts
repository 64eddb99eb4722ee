import { createHash } from "node:crypto";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/**
 * Base58Check (Bitcoin's): base58 of `data ‖ sha256(sha256(data))[0..4]`, what `@turnkey/crypto`'s
 * `decryptCredentialBundle` reads. Only ever given the emulator's own short bundles.
 */
export function base58check(data: Uint8Array): string {
  const checksum = createHash("sha256").update(createHash("sha256").update(data).digest()).digest().subarray(0, 4);
  const bytes = Buffer.concat([data, checksum]);
  // Little-endian base-58 digits of the big-endian number `bytes`.
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let index = 0; index < digits.length; index++) {
      carry += (digits[index] as number) * 256;
      digits[index] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  // Each leading zero byte is written as a leading "1".
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  return "1".repeat(zeros) + digits.reverse().map((digit) => ALPHABET[digit]).join("");
}
