// Behind proxy.ts: only requests it let through get here, with the user it verified.
export function GET(request: Request): Response {
  return Response.json({ userId: request.headers.get("x-turnkey-user-id") });
}
