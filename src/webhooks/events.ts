// The events a webhook handler receives. Payload shapes follow docs.turnkey.com/features/webhooks/overview
// ("Payloads"); only the signed body is authoritative: the event type and organization headers are not signed.

/**
 * The event types Turnkey sends (the `X-Turnkey-Event-Type` header).
 * @example `const subscribed: TurnkeyWebhookEventType[] = ["ACTIVITY_UPDATES"];`
 */
export type TurnkeyWebhookEventType = "ACTIVITY_UPDATES" | "BALANCE_CONFIRMED_UPDATES" | "BALANCE_FINALIZED_UPDATES" | "SEND_TRANSACTION_STATUS_UPDATES";

/**
 * An `ACTIVITY_UPDATES` body: the full activity object, as `get_activity` returns it.
 * @example `if (activity.status === "ACTIVITY_STATUS_FAILED") await alert(activity.id);`
 */
export interface TurnkeyActivityPayload {
  readonly id: string;
  readonly organizationId: string;
  /** e.g. `ACTIVITY_STATUS_COMPLETED`, `ACTIVITY_STATUS_FAILED`. */
  readonly status: string;
  /** e.g. `ACTIVITY_TYPE_CREATE_SUB_ORGANIZATION_V7`. */
  readonly type: string;
  readonly intent?: Readonly<Record<string, unknown>>;
  readonly result?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/**
 * A `BALANCE_CONFIRMED_UPDATES` / `BALANCE_FINALIZED_UPDATES` body.
 * @example `const operation = balance.msg.operation; // "deposit" or "withdraw"`
 */
export interface TurnkeyBalancePayload {
  /** `balances:confirmed` or `balances:finalized`. */
  readonly type: string;
  readonly organizationId: string;
  readonly parentOrganizationId?: string;
  readonly msg: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/**
 * A `SEND_TRANSACTION_STATUS_UPDATES` body.
 * @example `const status = update.msg.status; // "BROADCASTING", "INCLUDED" or "FAILED"`
 */
export interface TurnkeyTransactionStatusPayload {
  /** `transaction:status`. */
  readonly type: string;
  readonly organizationId: string;
  readonly parentOrganizationId?: string;
  readonly msg: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

interface EventBase {
  /** `X-Turnkey-Event-Id`: signed, stable across Turnkey's retries of one event. */
  readonly eventId: string;
  /** The JWKS key id that signed the delivery. */
  readonly keyId: string;
  /** When Turnkey signed this delivery (each retry is signed afresh). */
  readonly timestampMs: number;
  /** `X-Turnkey-Organization-Id`, not signed: prefer the payload's `organizationId`. */
  readonly organizationIdHeader: string | undefined;
  /** The exact bytes that were verified. */
  readonly rawBody: Uint8Array;
}

/**
 * A verified Turnkey webhook delivery. `eventType` comes from the unsigned `X-Turnkey-Event-Type`
 * header and narrows `payload`; a type this version does not know is `"unknown"`.
 *
 * @example
 * ```ts
 * async function onEvent(event: TurnkeyWebhookEvent) {
 *   if (event.eventType === "ACTIVITY_UPDATES") console.log(event.payload.status);
 * }
 * ```
 */
export type TurnkeyWebhookEvent =
  | (EventBase & { readonly eventType: "ACTIVITY_UPDATES"; readonly payload: TurnkeyActivityPayload })
  | (EventBase & { readonly eventType: "BALANCE_CONFIRMED_UPDATES" | "BALANCE_FINALIZED_UPDATES"; readonly payload: TurnkeyBalancePayload })
  | (EventBase & { readonly eventType: "SEND_TRANSACTION_STATUS_UPDATES"; readonly payload: TurnkeyTransactionStatusPayload })
  | (EventBase & { readonly eventType: "unknown"; readonly eventTypeHeader: string | undefined; readonly payload: unknown });

const KNOWN_TYPES: ReadonlySet<string> = new Set<TurnkeyWebhookEventType>(["ACTIVITY_UPDATES", "BALANCE_CONFIRMED_UPDATES", "BALANCE_FINALIZED_UPDATES", "SEND_TRANSACTION_STATUS_UPDATES"]);

/** The event handed to the handler, from a verified delivery. */
export function eventOf(base: EventBase, eventTypeHeader: string | undefined, payload: unknown): TurnkeyWebhookEvent {
  if (eventTypeHeader !== undefined && KNOWN_TYPES.has(eventTypeHeader)) {
    return { ...base, eventType: eventTypeHeader, payload } as TurnkeyWebhookEvent;
  }
  return { ...base, eventType: "unknown", eventTypeHeader, payload };
}
