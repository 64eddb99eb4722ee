import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadExampleConfig } from "../config.js";
import { createApp } from "./app.js";

const config = loadExampleConfig();
const server = createServer(createApp(config)).listen(config.port, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Node example listening on http://127.0.0.1:${port}`);
});
