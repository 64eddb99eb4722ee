import { createHash, randomUUID } from "node:crypto";
import { invalidArgument } from "./api-error.js";
import type { Route, RouteContext } from "./context.js";
import { objectAt, requiredString, timestampOf } from "./params.js";

/** One supported version of an activity: where its intent and result go in the envelope. */
export interface ActivityVersion {
  /** e.g. `createSubOrganizationIntentV8`. */
  readonly intentKey: string;
  /** e.g. `createSubOrganizationResultV8`: the key `@turnkey/sdk-server` spreads into its answer. */
  readonly resultKey: string;
  /** Runs the activity: returns the result, or throws a `TurnkeyApiError` (answered as an HTTP error). */
  readonly run: (context: RouteContext, parameters: Record<string, unknown>) => unknown;
}

/**
 * A `/public/v1/submit/*` route: checks `type` is one of `versions`, runs it, and answers the
 * activity envelope `{ activity: { id, status: "ACTIVITY_STATUS_COMPLETED", type, intent, result, … } }`
 * that `@turnkey/sdk-server`'s `command()` and `@turnkey/http` expect. Activities complete
 * synchronously (no consensus, no polling needed), and are kept for `get_activity`.
 */
export function activityRoute(versions: Readonly<Record<string, ActivityVersion>>): Route {
  return async (context) => {
    const type = requiredString(context.body, "type");
    const version = versions[type];
    if (version === undefined) {
      throw invalidArgument(`unsupported activity type ${type} for this endpoint; the emulator implements ${Object.keys(versions).join(", ")}`);
    }
    requiredString(context.body, "timestampMs");
    const parameters = objectAt(context.body.parameters, "parameters");
    const result = await version.run(context, parameters);
    const now = context.now();
    const response = {
      activity: {
        id: randomUUID(),
        organizationId: context.organizationId,
        status: "ACTIVITY_STATUS_COMPLETED",
        type,
        intent: { [version.intentKey]: parameters },
        result: { [version.resultKey]: result },
        votes: [],
        appProofs: [],
        fingerprint: `sha256:${createHash("sha256").update(context.rawBody).digest("hex")}`,
        canApprove: false,
        canReject: false,
        createdAt: timestampOf(now),
        updatedAt: timestampOf(now),
      },
    };
    context.activities.set(response.activity.id, { organizationId: context.organizationId, response });
    // Turnkey's ACTIVITY_UPDATES body is the activity object itself.
    context.webhooks.send("ACTIVITY_UPDATES", context.organizationId, response.activity);
    return response;
  };
}
