import { serve } from "@hono/node-server";
import { loadExampleConfig } from "../config.js";
import { createApp } from "./app.js";

const config = loadExampleConfig();
serve({ fetch: createApp(config).fetch, port: config.port, hostname: "127.0.0.1" }, (info) => {
  console.log(`Hono example listening on http://127.0.0.1:${info.port}`);
});
