import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    adapter: "src/adapter.ts",
    express: "src/adapters/express.ts",
    fastify: "src/adapters/fastify.ts",
    koa: "src/adapters/koa.ts",
    hono: "src/adapters/hono.ts",
    nestjs: "src/adapters/nestjs/index.ts",
    fetch: "src/adapters/fetch.ts",
    testing: "src/testing/index.ts",
    flows: "src/flows/index.ts",
    webhooks: "src/webhooks.ts",
    redis: "src/redis/index.ts",
    client: "src/client/index.ts",
    cli: "src/testing/cli.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  splitting: true,
  treeshake: true,
});
