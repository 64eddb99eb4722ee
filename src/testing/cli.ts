#!/usr/bin/env node
// `npx turnkey-session-auth emulator`: the local Turnkey emulator as a process, for a backend and a
// frontend in development. Prints what they need to reach it, and each OTP code as it is "sent".
// The keys it prints are the emulator's own test fixtures, made fresh at each start; it never
// prints a session token.
import { parseArgs } from "node:util";
import { startTurnkeyEmulator, type StartTurnkeyEmulatorOptions, type TurnkeyEmulator } from "./emulator/index.js";

const DEFAULT_PORT = 8787;

const USAGE = `Usage: turnkey-session-auth emulator [options]

Starts a local Turnkey API emulator (a test tool: it keeps everything in memory and never contacts Turnkey).

Options:
  --port <n>                   port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --allow-origin <origin>      a browser origin allowed by CORS, e.g. http://localhost:5173
                               (repeatable; "*" allows any; default: any localhost page)
  --auth-proxy-config-id <id>  the Auth Proxy config id clients send (default: a random UUID)
  --organization-id <id>       the parent organization's id (default: a random UUID)
  -h, --help                   this text`;

/** What the CLI writes to: lines of text. */
interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

function optionsFrom(values: { port?: string; "allow-origin"?: string[]; "auth-proxy-config-id"?: string; "organization-id"?: string }): StartTurnkeyEmulatorOptions {
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new TypeError("--port must be a whole number from 0 to 65535");
  if (values["organization-id"] === "") throw new TypeError("--organization-id must not be empty");
  const origins = values["allow-origin"] ?? [];
  return {
    port,
    ...(origins.length === 0 ? {} : { cors: { allowedOrigins: origins.includes("*") ? "*" : origins } }),
    ...(values["auth-proxy-config-id"] === undefined ? {} : { authProxy: { configId: values["auth-proxy-config-id"] } }),
    ...(values["organization-id"] === undefined ? {} : { parentOrganization: { organizationId: values["organization-id"] } }),
  };
}

/** The environment a backend (this library's examples read these names) and a frontend need. */
function environmentLines(emulator: TurnkeyEmulator): string[] {
  return [
    "# Backend (.env): the parent organization's API key and the keys sessions and OTP tokens are signed with",
    `TURNKEY_API_BASE_URL=${emulator.apiBaseUrl}`,
    `TURNKEY_ORGANIZATION_ID=${emulator.parentOrganizationId}`,
    `TURNKEY_API_PUBLIC_KEY=${emulator.apiKey.publicKey}`,
    `TURNKEY_API_PRIVATE_KEY=${emulator.apiKey.privateKey}`,
    `TURNKEY_NOTARIZER_PUBLIC_KEY=${emulator.notarizerPublicKey}`,
    `TURNKEY_OTP_SIGNER_PUBLIC_KEY=${emulator.otpSignerPublicKey}`,
    "",
    "# Frontend (@turnkey/core TurnkeyClient: apiBaseUrl, authProxyUrl, authProxyConfigId, organizationId)",
    `TURNKEY_AUTH_PROXY_URL=${emulator.authProxyUrl}`,
    `TURNKEY_AUTH_PROXY_CONFIG_ID=${emulator.authProxyConfigId}`,
  ];
}

/**
 * Runs `turnkey-session-auth <command>` with `argv` (the arguments after the program): starts the
 * emulator and resolves with it once it listens, or with `undefined` after printing help or an error.
 */
async function runCli(argv: readonly string[], output: CliOutput): Promise<TurnkeyEmulator | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        port: { type: "string" },
        "allow-origin": { type: "string", multiple: true },
        "auth-proxy-config-id": { type: "string" },
        "organization-id": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    output.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exitCode = 2;
    return undefined;
  }
  const [command] = parsed.positionals;
  if (parsed.values.help === true || command === undefined) {
    output.out(USAGE);
    return undefined;
  }
  if (command !== "emulator" || parsed.positionals.length > 1) {
    output.err(`Unknown command: ${parsed.positionals.join(" ")}\n\n${USAGE}`);
    process.exitCode = 2;
    return undefined;
  }
  let emulator: TurnkeyEmulator;
  try {
    emulator = await startTurnkeyEmulator({
      ...optionsFrom(parsed.values),
      onOtpSent: (otp) => output.out(`OTP sent to ${otp.contact} (${otp.otpType === "OTP_TYPE_SMS" ? "SMS" : "email"}): ${otp.code}`),
    });
  } catch (error) {
    output.err(`Could not start the emulator: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return undefined;
  }
  output.out(`Turnkey emulator listening on ${emulator.apiBaseUrl} (a local test tool; the keys below are fresh test fixtures)`);
  output.out("");
  for (const line of environmentLines(emulator)) output.out(line);
  output.out("");
  const origins = parsed.values["allow-origin"] ?? [];
  output.out(`CORS: ${origins.length === 0 ? "pages on localhost, 127.0.0.1 or [::1] (any port)" : origins.includes("*") ? "any origin" : origins.join(", ")} may call it.`);
  output.out("OTP codes appear below as they are sent. Ctrl+C stops the emulator.");
  return emulator;
}

async function main(): Promise<void> {
  const emulator = await runCli(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) });
  if (emulator === undefined) return;
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main();
