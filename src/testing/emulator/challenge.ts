const PADDING = 0x3d; // "="

/** `value` without its trailing `=` padding, found by a scan back from the end (linear, unlike a backtracking `/=+$/`). */
export function withoutPadding(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === PADDING) end--;
  return value.slice(0, end);
}

/**
 * Whether two WebAuthn challenges are the same, padded or not: clientDataJSON carries the challenge
 * base64url-encoded without padding (WebAuthn §5.8.1, §3 "Base64url Encoding"); a caller may send it padded.
 */
export function sameChallenge(a: string, b: string): boolean {
  return withoutPadding(a) === withoutPadding(b);
}
