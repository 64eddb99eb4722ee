// A Cloudflare Worker: the environment's variables (wrangler.toml [vars], or workerd bindings) configure it.
import { authFromEnv, createApp } from "../fetch/app.js";

type Env = Record<string, string | undefined>;
// One app per isolate: its verifier keeps its key and cache across requests.
let app: ((request: Request) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    app ??= createApp(authFromEnv(env));
    return app(request);
  },
};
