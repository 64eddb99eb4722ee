// The options every route and the proxy share: one object, so one verifier (key and cache) per server.
// TURNKEY_TRUSTED_ORGANIZATIONS: comma-separated ids; TURNKEY_NOTARIZER_PUBLIC_KEY: default Turnkey's production key.
import type { VerifyOptions } from "turnkey-session-auth";

const trustedOrganizations = (process.env.TURNKEY_TRUSTED_ORGANIZATIONS ?? "").split(",").map((id) => id.trim()).filter((id) => id !== "");
const notarizerPublicKey = process.env.TURNKEY_NOTARIZER_PUBLIC_KEY?.trim();

export const auth: VerifyOptions = notarizerPublicKey ? { trustedOrganizations, notarizerPublicKey } : { trustedOrganizations };
