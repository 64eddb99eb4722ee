import { HttpException } from "@nestjs/common";
import type { TurnkeyAuthError } from "../../errors.js";
import type { AuthFailure } from "../../http/refusal.js";

/**
 * A refused request, thrown by `TurnkeyAuthGuard` to Nest's exception filters. Nest's default filter
 * answers it as every adapter does: its status (400/401/403/503) and `{ error, message }`, with the
 * `WWW-Authenticate` challenge the guard already set on the response. Your own filter can
 * `@Catch(TurnkeyAuthException)` and read {@link TurnkeyAuthException.turnkeyError}.
 *
 * @example
 * ```ts
 * @Catch(TurnkeyAuthException)
 * class AuthFilter implements ExceptionFilter {
 *   catch(exception: TurnkeyAuthException, host: ArgumentsHost) {
 *     host.switchToHttp().getResponse().status(exception.getStatus()).json({ code: exception.turnkeyError.code });
 *   }
 * }
 * ```
 */
export class TurnkeyAuthException extends HttpException {
  /** The refusal: `code`, `status`, `wwwAuthenticate`, and the `cause` of an `unavailable` one. */
  readonly turnkeyError: TurnkeyAuthError;
  /** The response headers of the refusal (`WWW-Authenticate`, unless the status is 503). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(failure: AuthFailure) {
    super({ ...failure.body }, failure.status, { cause: failure.error });
    this.turnkeyError = failure.error;
    this.headers = failure.headers;
  }
}
