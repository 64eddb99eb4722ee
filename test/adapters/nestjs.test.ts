import { runAdapterSuite } from "./cases.js";
import { PLATFORMS, startNestApp } from "./nestjs-app.js";

for (const platform of PLATFORMS) {
  runAdapterSuite({
    name: `nestjs (${platform})`,
    start: (spec, probe) => startNestApp(platform, spec, probe),
    // Nest answers through exception filters: there is no onError or forwardErrors to choose.
    supports: (spec) => !spec.customOnError && spec.options.forwardErrors !== true,
  });
}
