// Bun: `bun examples/bun/server.ts` (Bun runs the TypeScript as it is).
import { authFromEnv, createApp } from "../fetch/app.js";

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 3000),
  fetch: createApp(authFromEnv(process.env)),
});
console.log(`Bun example listening on ${server.url}`);
