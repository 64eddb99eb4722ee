import { defineConfig } from "vitest/config";

// Type tests (test/types/*.test-d.ts, expectTypeOf) are compiled by `npm run typecheck`, where any
// mismatch is a type error; vitest does not compile the project a second time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 20_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});
