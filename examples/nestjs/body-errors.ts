import { Catch, HttpException, type ArgumentsHost } from "@nestjs/common";
import { BaseExceptionFilter } from "@nestjs/core";

/** What Express's `res` and Fastify's `reply` both have. */
export interface Reply {
  status(code: number): { send(body: unknown): unknown };
}

/**
 * Nest answers a body it refuses with the parser's message, and a JSON parser's message can quote
 * the body (a verification token can be in it): answered here in the same shape as the other
 * examples. Everything else gets Nest's own answer.
 */
@Catch(HttpException)
export class BodyErrorsFilter extends BaseExceptionFilter {
  override catch(exception: HttpException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<Reply>();
    if (exception.getStatus() === 413) {
      reply.status(413).send({ error: "body_too_large", message: "The body must be at most 1 MiB" });
    } else if (isBodyParseError(exception.cause)) {
      reply.status(400).send({ error: "invalid_json", message: "The body must be JSON" });
    } else {
      super.catch(exception, host);
    }
  }
}

// Express's body parser throws a SyntaxError; Fastify's content-type parsers, FST_ERR_CTP_* errors.
function isBodyParseError(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return cause instanceof SyntaxError || (typeof code === "string" && code.startsWith("FST_ERR_CTP_"));
}
