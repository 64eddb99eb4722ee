import type { Request } from "express";
import type { RequestReader } from "../http/request-reader.js";

/** How Express (4 and 5) requests are read, by the Express adapter and by NestJS on its Express platform. */
export const EXPRESS: RequestReader<Request> = {
  // Express 4 and 5 routers match case-insensitively, ignore one trailing slash and keep repeated
  // slashes. The app settings "case sensitive routing" and "strict routing" are not read: they
  // govern the app's own routes only, not an express.Router() made without options.
  pathMatching: { caseSensitive: false, strict: false, mergeSlashes: false, semicolonEndsPath: false },
  method: (req) => req.method,
  target: (req) => req.originalUrl, // whole: `req.path` is relative to the mount point
  headers: (req) => req.headers,
  rawHeaders: (req) => req.rawHeaders,
  params: (req) => req.params as Readonly<Record<string, string | undefined>>,
  query: (req) => req.query as Readonly<Record<string, unknown>>,
  // res.locals: Express's object for one request; `req` under a bare router, which makes none.
  holder: (req) => req.res?.locals ?? req,
};
