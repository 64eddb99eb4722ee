/**
 * gRPC status codes, as Turnkey's API reports them in error bodies `{ code, message, details }`
 * (its HTTP gateway maps them to HTTP statuses the usual grpc-gateway way).
 */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  INTERNAL: 13,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcCodeValue = (typeof GrpcCode)[keyof typeof GrpcCode];

const HTTP_STATUS: Readonly<Record<GrpcCodeValue, number>> = {
  3: 400,
  5: 404,
  7: 403,
  8: 429,
  9: 400,
  13: 500,
  16: 401,
};

/** An error the emulator answers as Turnkey does: HTTP status plus `{ code, message, details: [] }`. */
export class TurnkeyApiError extends Error {
  override readonly name = "TurnkeyApiError";
  readonly code: GrpcCodeValue;

  constructor(code: GrpcCodeValue, message: string) {
    super(message);
    this.code = code;
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }

  toBody(): { code: number; message: string; details: unknown[] } {
    return { code: this.code, message: this.message, details: [] };
  }
}

export const invalidArgument = (message: string) => new TurnkeyApiError(GrpcCode.INVALID_ARGUMENT, message);
export const notFound = (message: string) => new TurnkeyApiError(GrpcCode.NOT_FOUND, message);
export const permissionDenied = (message: string) => new TurnkeyApiError(GrpcCode.PERMISSION_DENIED, message);
export const unauthenticated = (message: string) => new TurnkeyApiError(GrpcCode.UNAUTHENTICATED, message);
