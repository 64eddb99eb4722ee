import { TurnkeyAuthError } from "../errors.js";
import type { PathMatching } from "./path-matching.js";

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const QUESTION = 0x3f;
const HASH = 0x23;
const SEMICOLON = 0x3b;
const COLON = 0x3a;

function ambiguous(message: string): TurnkeyAuthError {
  return new TurnkeyAuthError("invalid_request", message);
}

const INVALID_AUTHORITY = "The request target's authority is invalid";
const DOT_SEGMENT = "The request path has a dot segment";

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Where the path starts in an absolute-form target (RFC 9112 §3.2.2), once its authority is
 * checked; `-1` when it has no path (the path is then `/`). Only `http(s)://host[:port]` is
 * accepted: parsers disagree about where the path of `foo://x/admin`, `http://u@x/admin` or
 * `http://x:99999/admin` starts.
 */
function absolutePathStart(target: string): number {
  const scheme = target.slice(0, 8).toLowerCase();
  const authorityStart = scheme.startsWith("http://") ? 7 : scheme === "https://" ? 8 : -1;
  if (authorityStart < 0) throw ambiguous("The request target is neither a path nor an http(s) URL");
  let end = authorityStart;
  while (end < target.length && !isAuthorityEnd(target.charCodeAt(end))) end++;
  checkAuthority(target, authorityStart, end);
  if (end === target.length || target.charCodeAt(end) === QUESTION) return -1;
  if (target.charCodeAt(end) === HASH) throw ambiguous("The request target has a fragment");
  return end;
}

function isAuthorityEnd(code: number): boolean {
  return code === SLASH || code === QUESTION || code === HASH;
}

/** `host[:port]`: a registered name, IPv4 or bracketed IPv6 host, no userinfo (RFC 9110 §4.2.4), a port up to 65535. */
function checkAuthority(target: string, start: number, end: number): void {
  let index = start;
  if (target.charCodeAt(index) === 0x5b) {
    const close = target.indexOf("]", index);
    if (close < 0 || close >= end || close === index + 1) throw ambiguous(INVALID_AUTHORITY);
    for (index++; index < close; index++) {
      const code = target.charCodeAt(index);
      if (hexValue(code) < 0 && code !== COLON && code !== DOT) throw ambiguous(INVALID_AUTHORITY);
    }
    index = close + 1;
  } else {
    const hostStart = index;
    while (index < end && isHostCharacter(target.charCodeAt(index))) index++;
    if (index === hostStart) throw ambiguous(INVALID_AUTHORITY);
  }
  if (index === end) return;
  if (target.charCodeAt(index) !== COLON || end - index - 1 > 5) throw ambiguous(INVALID_AUTHORITY);
  let port = 0;
  for (index++; index < end; index++) {
    const digit = target.charCodeAt(index) - 0x30;
    if (!(digit >= 0 && digit <= 9)) throw ambiguous(INVALID_AUTHORITY);
    port = port * 10 + digit;
  }
  if (port > 65535) throw ambiguous(INVALID_AUTHORITY);
}

function isHostCharacter(code: number): boolean {
  const lower = code | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === DOT || code === 0x5f || code === 0x7e;
}

/**
 * Checks a raw (not percent-encoded) path character at `index`; returns how many code units it
 * takes (2 for a surrogate pair). Node and the Fetch URL parser hand over printable ASCII only;
 * other characters are taken as themselves, so that a canonical path is its own canonical path.
 */
function rawCharacterLength(target: string, index: number, code: number): 1 | 2 {
  if (code === 0x5c) throw ambiguous("The request path has a backslash");
  if (code === HASH) throw ambiguous("The request target has a fragment");
  // C0 controls, DEL and C1 controls are never part of a path (RFC 3986 §2). A raw space cannot
  // reach a router (it ends the request target), but a decoded one is a character like any other.
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) throw ambiguous("The request path has a control character");
  if (code < 0xd800 || code > 0xdfff) return 1;
  const next = target.charCodeAt(index + 1);
  if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return 2;
  throw ambiguous("The request path is not well-formed text");
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The character of an escape below 0x80, unless decoding it would change how the path is read. */
function decodedAscii(byte: number, semicolonEndsPath: boolean): string {
  if (byte === SLASH || byte === 0x5c) throw ambiguous("The request path encodes a slash or backslash");
  // Decoded once more by another layer, these would end the path or start another escape.
  if (byte === PERCENT || byte === QUESTION || byte === HASH || (byte === SEMICOLON && semicolonEndsPath)) {
    throw ambiguous("The request path encodes a character that changes how it is read");
  }
  if (byte < 0x20 || byte === 0x7f) throw ambiguous("The request path encodes a control character");
  return String.fromCharCode(byte);
}

/** UTF-8 of one or more characters at or above U+0080 (RFC 3986 §2.5), refused if invalid or a C1 control. */
function decodedText(bytes: number[]): string {
  let text: string;
  try {
    text = utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw ambiguous("The request path encodes invalid UTF-8");
  }
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) <= 0x9f) throw ambiguous("The request path encodes a control character");
  }
  return text;
}

/** The segment `target[from, to)`, percent-decoded. Its raw characters are already checked. */
function decodeSegment(target: string, from: number, to: number, semicolonEndsPath: boolean): string {
  let decoded = "";
  let copied = from;
  const bytes: number[] = [];
  for (let index = from; index < to; index++) {
    if (target.charCodeAt(index) !== PERCENT) continue;
    const high = hexValue(target.charCodeAt(index + 1));
    const low = hexValue(target.charCodeAt(index + 2));
    if (high < 0 || low < 0) throw ambiguous("The request path has an invalid percent-encoding");
    const byte = (high << 4) | low;
    if (copied < index) {
      if (bytes.length > 0) decoded += decodedText(bytes.splice(0));
      decoded += target.slice(copied, index);
    }
    if (byte < 0x80) {
      if (bytes.length > 0) decoded += decodedText(bytes.splice(0));
      decoded += decodedAscii(byte, semicolonEndsPath);
    } else {
      bytes.push(byte);
    }
    index += 2;
    copied = index + 1;
  }
  if (bytes.length > 0) decoded += decodedText(bytes);
  return decoded + target.slice(copied, to);
}

// Printable ASCII that needs no second look: all but `#`, `%`, `.`, `/`, `;`, `?` and `\`.
const PLAIN = new Uint8Array(0x80);
for (let code = 0x21; code < 0x7f; code++) PLAIN[code] = "#%./;?\\".includes(String.fromCharCode(code)) ? 0 : 1;

/**
 * Judges a raw segment of `length` characters, `dots` of them dots, ended by a slash or by the end
 * of the path; returns `true` when it is an empty segment to merge into its neighbour.
 */
function endsSegment(length: number, dots: number, slashFollows: boolean, mergeSlashes: boolean): boolean {
  if (length > 0) {
    if (length <= 2 && dots === length) throw ambiguous(DOT_SEGMENT);
    return false;
  }
  // An empty segment before a slash is `//`; an empty last one is a trailing slash.
  if (!slashFollows) return false;
  if (!mergeSlashes) throw ambiguous("The request path has an empty segment");
  return true;
}

/**
 * The path a policy judges for a request target as received (origin-form `/a/b?q` or absolute-form
 * `http://host/a/b?q`): the whole path (never relative to a mount point), without the query,
 * percent-decoded, and compared as the router compares paths (`matching`): lower-cased when the
 * router ignores case, without a trailing slash when it ignores one, with repeated slashes merged
 * when it merges them.
 *
 * A target that layers could read as different paths is refused with a `TurnkeyAuthError`
 * `invalid_request` (400): a dot segment, raw or encoded (`/admin/..`, `/%2e%2E/`); an encoded `/` or
 * `\` (`%2F`, `%5C`), or a raw `\`; an encoded `%`, `?` or `#`, and an encoded `;` where `;` ends the
 * path (decoded again by another layer, they change the path); a control character, raw or encoded;
 * a fragment; an invalid escape or invalid UTF-8; an empty segment (`//`) where the router does not
 * merge slashes; an absolute-form target other than `http(s)://host[:port]` and a path; anything else
 * that does not start with `/`. One pass, in time linear in the target's length.
 *
 * @example
 * ```ts
 * const express: PathMatching = { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false };
 * canonicalPolicyPath("/ORGS/org-%32/whoami/?x=1", express); // "/orgs/org-2/whoami"
 * canonicalPolicyPath("http://x/admin/%2e%2e", express); // throws TurnkeyAuthError "invalid_request"
 * ```
 */
export function canonicalPolicyPath(target: string, matching: PathMatching): string {
  const start = target.charCodeAt(0) === SLASH ? 0 : absolutePathStart(target);
  if (start < 0) return "/";
  // One pass over the raw path: where it ends, its raw characters, its raw dot and empty segments.
  let end = start + 1;
  let segmentStart = end;
  let dots = 0; // raw dots in the current segment
  let asIs = true; // no escape to decode and no slash to merge: the path is the target's own text
  for (; end < target.length; end++) {
    const code = target.charCodeAt(end);
    if (code < 0x80 && PLAIN[code] === 1) continue;
    if (code === SLASH) {
      if (endsSegment(end - segmentStart, dots, true, matching.mergeSlashes)) asIs = false;
      segmentStart = end + 1;
      dots = 0;
    } else if (code === QUESTION || (code === SEMICOLON && matching.semicolonEndsPath)) {
      break;
    } else if (code === PERCENT) {
      asIs = false;
    } else if (code === DOT) {
      dots++;
    } else if (code !== SEMICOLON) {
      end += rawCharacterLength(target, end, code) - 1;
    }
  }
  endsSegment(end - segmentStart, dots, false, matching.mergeSlashes);
  let path = asIs ? target.slice(start, end) : decodedPath(target, start, end, matching.semicolonEndsPath);
  if (!matching.strict && path.length > 1 && path.charCodeAt(path.length - 1) === SLASH) path = path.slice(0, -1);
  return matching.caseSensitive ? path : path.toLowerCase();
}

/** The path `target[start, end)`, its raw characters checked, percent-decoded segment by segment and its empty segments merged. */
function decodedPath(target: string, start: number, end: number, semicolonEndsPath: boolean): string {
  let path = "";
  let segmentStart = start + 1;
  for (let index = segmentStart; index <= end; index++) {
    if (index < end && target.charCodeAt(index) !== SLASH) continue;
    const segment = decodeSegment(target, segmentStart, index, semicolonEndsPath);
    if (segment === "." || segment === "..") throw ambiguous(DOT_SEGMENT);
    if (segment.length > 0 || index === end) path += `/${segment}`;
    segmentStart = index + 1;
  }
  return path;
}
