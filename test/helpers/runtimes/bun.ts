// Serves the probe on Bun, port 0; prints the port. Configuration: PROBE_CONFIG (JSON ProbeConfig).
import { createProbe } from "./probe.js";

const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: createProbe(JSON.parse(process.env.PROBE_CONFIG ?? "{}")) });
console.log(`listening on ${server.url}`);
