import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const config: NextConfig = {
  turbopack: {
    // The example lives inside the library's repository: Turbopack's root is the checkout.
    root: fileURLToPath(new URL("../..", import.meta.url)),
    // The library as built from this checkout (test/nextjs.test.ts builds it into .library/ first).
    // In your app, `npm install turnkey-session-auth` and drop these aliases.
    resolveAlias: {
      "turnkey-session-auth": "./.library/index.js",
      "turnkey-session-auth/fetch": "./.library/fetch.js",
    },
  },
  // The repository's `tsc` checks this example; the build does not do it a second time.
  typescript: { ignoreBuildErrors: true },
};

export default config;
