// Serves the probe on Deno, port 0; prints the port. Configuration: PROBE_CONFIG (JSON ProbeConfig).
import { createProbe } from "./probe.js";

Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}/`) },
  createProbe(JSON.parse(Deno.env.get("PROBE_CONFIG") ?? "{}")),
);
