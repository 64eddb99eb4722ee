// `npm run demo:web`: the Turnkey emulator, the demo backend and the page, on this machine only.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { startTurnkeyEmulator, type EmulatorSentOtp, type TurnkeyEmulator } from "../../src/testing/index.js";
import { createWebDemoApp } from "./app.js";
import { bundleFrontend } from "./bundle.js";

/** A running web demo. */
export interface WebDemo {
  /** `http://localhost:<port>`: open it in a browser (WebAuthn refuses IP addresses as relying-party ids). */
  readonly url: string;
  readonly emulator: TurnkeyEmulator;
  close(): Promise<void>;
}

/**
 * Starts the demo backend on 127.0.0.1 (`port` 0: any free port), the emulator (allowing the page's
 * origin by CORS), and bundles the page. `log` gets each OTP code the emulator "sends".
 *
 * @example
 * ```ts
 * const demo = await startWebDemo({ port: 0 });
 * console.log(demo.url);
 * await demo.close();
 * ```
 */
export async function startWebDemo(options: { port?: number; log?: (line: string) => void } = {}): Promise<WebDemo> {
  // Listen first: the page's origin (with its port) is what the emulator must allow.
  const server = createServer();
  server.listen(options.port ?? 3000, "127.0.0.1");
  await once(server, "listening");
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const emulatorOptions = {
    cors: { allowedOrigins: [url] },
    // The emulator's "mailbox": it sends no email, so each code goes to the log.
    onOtpSent: (otp: EmulatorSentOtp) => options.log?.(`Code "sent" to ${otp.contact}: ${otp.code}`),
  };
  const [started, bundled] = await Promise.allSettled([startTurnkeyEmulator(emulatorOptions), bundleFrontend()]);
  if (started.status === "rejected" || bundled.status === "rejected") {
    server.close();
    if (started.status === "fulfilled") await started.value.close();
    throw started.status === "rejected" ? started.reason : (bundled as PromiseRejectedResult).reason;
  }
  const running = started.value;
  server.on("request", createWebDemoApp({ emulator: running, script: bundled.value, origin: url }));
  return {
    url,
    emulator: running,
    async close() {
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await Promise.all([closed, running.close()]);
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`PORT must be a whole number from 0 to 65535, not "${process.env.PORT}"`);
  const demo = await startWebDemo({ port, log: (line) => console.log(line) });
  console.log(`Turnkey emulator on ${demo.emulator.apiBaseUrl} (parent organization ${demo.emulator.parentOrganizationId})`);
  console.log(`Open ${demo.url} in Chrome, Edge or Firefox (a passkey manager or security key is needed). Ctrl-C stops.`);
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once("SIGINT", stop).once("SIGTERM", stop);
}
