// The few globals of Bun and Deno that examples/bun, examples/deno and test/runtimes use, so that
// `tsc` checks them without @types/bun or Deno's own types (which both runtimes bring).
declare const Bun: {
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Response | Promise<Response> }): { readonly url: URL };
};
declare const Deno: {
  serve(
    options: { hostname: string; port: number; onListen?: (address: { port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
  readonly env: { get(name: string): string | undefined; toObject(): Record<string, string> };
};
