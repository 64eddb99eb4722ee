// Deno: `deno run --allow-env --allow-net --sloppy-imports examples/deno/server.ts`.
import { authFromEnv, createApp } from "../fetch/app.js";

Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 3000), onListen: ({ port }) => console.log(`Deno example listening on http://127.0.0.1:${port}/`) },
  createApp(authFromEnv(Deno.env.toObject())),
);
