import { NextResponse, type NextRequest } from "next/server";
import { authenticateRequest } from "turnkey-session-auth/fetch";
import { auth } from "./lib/auth";

// Next.js 16's proxy (formerly middleware.ts) guards every path under /protected.
export async function proxy(request: NextRequest) {
  const session = await authenticateRequest(request, auth);
  if (session instanceof Response) return session;
  // Handlers read the verified user from a header set here, never from one the client sent.
  const headers = new Headers(request.headers);
  headers.set("x-turnkey-user-id", session!.userId);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: "/protected/:path*" };
