// What TypeScript says when `trustedOrganizations` is missing: it must name that option, not
// `verifier` (the other way to configure an adapter), whichever adapter (issue 19).
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FILE = `${ROOT}test/types/__option-errors__.ts`;
const SOURCE = `
import Fastify from "fastify";
import { turnkeyAuth as express } from "../../src/adapters/express.js";
import { turnkeyAuth as fastify } from "../../src/adapters/fastify.js";
import { turnkeyAuth as hono } from "../../src/adapters/hono.js";
import { turnkeyAuth as koa } from "../../src/adapters/koa.js";
import { createSessionVerifier } from "../../src/index.js";
express({ cookieName: "session" });
koa({ policies: [] });
hono({ optional: true });
Fastify().register(fastify, { global: true });
createSessionVerifier({ clockTolerance: 5 });
express({ verifier: createSessionVerifier({ trustedOrganizations: "any" }) });
`;

function diagnostics(): string[] {
  const config = ts.readConfigFile(`${ROOT}tsconfig.json`, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === FILE ? SOURCE : readFile(name));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === FILE || fileExists(name);
  const program = ts.createProgram([FILE], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(FILE)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("a missing trustedOrganizations", () => {
  it("is named by TypeScript in every adapter and the verifier, and a ready verifier needs none", () => {
    const messages = diagnostics();
    expect(messages).toHaveLength(5);
    for (const message of messages) {
      expect(message).toContain("Property 'trustedOrganizations' is missing");
      expect(message).not.toContain("Property 'verifier' is missing");
    }
  }, 60_000);
});
