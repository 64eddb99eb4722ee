// The demo page: @turnkey/core in the browser, talking to Turnkey (the emulator, another origin)
// and to this page's backend (same origin). Bundled by examples/web/bundle.ts.
import { TurnkeyClient } from "@turnkey/core";
import { getConfig, readDemoInbox } from "./backend.js";
import { showCopiedTokenRefused } from "./copied-token.js";
import { loginWithOtp, sendOtp, type PendingOtp } from "./otp.js";
import { loginWithPasskey, signUpWithPasskey } from "./passkey.js";
import { callProtectedRoutes, logout, refreshSession, timeOf } from "./session.js";
import { runStep, short, StepError, type Story } from "./story.js";

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`the page lacks ${selector}`);
  return found;
}

// The demo's emulator allows only the origin http://localhost:PORT, and WebAuthn needs a domain.
element<HTMLElement>("#wrong-host").hidden = location.hostname === "localhost";

const config = await getConfig();
const client = new TurnkeyClient({
  apiBaseUrl: config.apiBaseUrl,
  organizationId: config.parentOrganizationId,
  // WebAuthn binds passkeys to a domain (the relying party id): "localhost" here, never an IP address.
  passkeyConfig: { rpId: location.hostname },
});
await client.init();

/** Organizations this page has logged into, to pick "another organization" for the 403. */
const organizations = new Set<string>();
let pendingOtp: PendingOtp | undefined;

/** The session panel: what @turnkey/core decoded from the JWT. The JWT itself is never shown. */
async function showSession(): Promise<void> {
  const session = await client.getSession();
  const panel = element<HTMLElement>("#session");
  panel.dataset.state = session === undefined ? "none" : "active";
  const fields: [string, string][] =
    session === undefined
      ? [["state", "no session"]]
      : [
          ["user_id", session.userId],
          ["organization_id", session.organizationId],
          ["session_type", session.sessionType],
          ["expires", `${timeOf(session.expiry)} (exp ${session.expiry})`],
          ["session key", short(session.publicKey ?? "")],
        ];
  const list = element<HTMLDListElement>("#session dl");
  list.replaceChildren(
    ...fields.flatMap(([name, value]) => {
      const term = document.createElement("dt");
      term.textContent = name;
      const detail = document.createElement("dd");
      detail.dataset.field = name;
      detail.textContent = value;
      return [term, detail];
    }),
  );
  if (session !== undefined) organizations.add(session.organizationId);
}

function otherOrganization(own: string): string {
  return [...organizations].find((id) => id !== own) ?? config.parentOrganizationId;
}

function on(step: string, run: (story: Story) => Promise<void>): void {
  const section = element<HTMLElement>(`[data-step="${step}"]`);
  const form = section.querySelector("form");
  const trigger = (event: Event) => {
    event.preventDefault();
    void runStep(section, run).then(showSession);
  };
  if (form !== null) form.addEventListener("submit", trigger);
  else section.querySelector("button")?.addEventListener("click", trigger);
}

on("signup", async (story) => {
  const userName = element<HTMLInputElement>("#user-name").value.trim() || "Ada";
  await signUpWithPasskey(client, userName, story);
});
on("passkey-login", (story) => loginWithPasskey(client, story));
on("otp-send", async (story) => {
  pendingOtp = await sendOtp(element<HTMLInputElement>("#email").value.trim(), story);
});
on("otp-inbox", async (story) => {
  if (pendingOtp === undefined) throw new StepError("Send a code first.");
  const code = await readDemoInbox(pendingOtp.contact);
  if (code === undefined) throw new StepError("The emulator's inbox has no code for this address.");
  element<HTMLInputElement>("#otp-code").value = code;
  story.backend(`DEMO ONLY: GET /demo-only/otp-inbox read the code the emulator "emailed". A real backend never sees it.`);
  story.frontend(`Filled in the code: ${code}.`);
});
on("otp-login", async (story) => {
  if (pendingOtp === undefined) throw new StepError("Send a code first.");
  await loginWithOtp(client, config, pendingOtp, element<HTMLInputElement>("#otp-code").value.trim(), story);
  pendingOtp = undefined;
});
on("backend", async (story) => {
  const session = await client.getSession();
  await callProtectedRoutes(client, otherOrganization(session?.organizationId ?? ""), story);
});
on("copied-token", (story) => showCopiedTokenRefused(client, story));
on("refresh", (story) => refreshSession(client, story));
on("logout", (story) => logout(client, story));

element<HTMLElement>("#api-base-url").textContent = config.apiBaseUrl;
element<HTMLElement>("#parent-organization").textContent = config.parentOrganizationId;
await showSession();
document.body.dataset.ready = "true";
