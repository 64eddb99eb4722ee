import type { AddressInfo } from "node:net";
import { loadExampleConfig } from "../config.js";
import { createApp } from "./app.js";

const config = loadExampleConfig();
const app = await createApp(config, process.env.NEST_PLATFORM === "fastify" ? "fastify" : "express");
await app.listen(config.port, "127.0.0.1");
const { port } = (app.getHttpServer() as { address(): AddressInfo }).address();
console.log(`NestJS example listening on http://127.0.0.1:${port}`);
