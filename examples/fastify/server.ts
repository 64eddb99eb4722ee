import { loadExampleConfig } from "../config.js";
import { createApp } from "./app.js";

const config = loadExampleConfig();
const address = await createApp(config).listen({ port: config.port, host: "127.0.0.1" });
console.log(`Fastify example listening on ${address}`);
