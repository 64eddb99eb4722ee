import type { TestNotarizer } from "../test-notarizer.js";
import type { OidcIssuer } from "./oidc-issuer.js";
import type { OtpService } from "./otp.js";
import type { Caller } from "./stamp.js";
import type { EmulatorStore } from "./store.js";
import type { WebhookSender } from "./webhooks.js";

/** The emulator's services, shared by every route. */
export interface EmulatorServices {
  readonly store: EmulatorStore;
  readonly otp: OtpService;
  readonly notarizer: TestNotarizer;
  /** The OIDC issuers whose tokens OAuth login and OAuth providers accept. */
  readonly oidcIssuers: readonly OidcIssuer[];
  /** The emulator's clock, milliseconds since the epoch. */
  readonly now: () => number;
  readonly activities: Map<string, { organizationId: string; response: unknown }>;
  /** Delivers the webhooks of completed activities. */
  readonly webhooks: WebhookSender;
}

/** One authenticated request, as a route sees it. */
export interface RouteContext extends EmulatorServices {
  /** The user whose credential stamped the request, allowed to act on `organizationId`. */
  readonly caller: Caller;
  /**
   * The organization the request acts on: the body's `organizationId`, or the sub-organization a
   * passkey or OTP login naming the parent resolved to.
   */
  readonly organizationId: string;
  /** The parsed JSON body. */
  readonly body: Record<string, unknown>;
  /** The exact body bytes (what the stamp signed). */
  readonly rawBody: Buffer;
}

/** A route handler: answers the JSON body of a 200, or throws a `TurnkeyApiError`. */
export type Route = (context: RouteContext) => unknown;
