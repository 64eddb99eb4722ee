// The probe as a Worker on workerd; its configuration is the PROBE_CONFIG binding (JSON ProbeConfig).
import { createProbe } from "./probe.js";

let probe: ((request: Request) => Promise<Response>) | undefined;

export default {
  fetch(request: Request, env: { PROBE_CONFIG: string }): Promise<Response> {
    probe ??= createProbe(JSON.parse(env.PROBE_CONFIG));
    return probe(request);
  },
};
