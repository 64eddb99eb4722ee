// The web demo's page as the browser test drives it: steps clicked, what the page shows, what it
// sent to Turnkey, and what it logged.
import { mkdir } from "node:fs/promises";
import type { BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import type { WebDemo } from "../../examples/web/server.js";

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;
// Chromium logs every 4xx as an error: these are the refusals the test asks for (the protected
// routes' 401 and 403, a mistyped code's 400).
const EXPECTED_REFUSALS: [RegExp, number][] = [
  [/^\/me$/, 401],
  [/^\/orgs\/[^/]+\/wallets$/, 403],
  [/^\/auth\/otp-verify$/, 400],
];
const STAMPS = ["x-stamp", "x-stamp-webauthn", "x-stamp-attested"] as const;

/** A request the page sent to Turnkey (the emulator) directly, as Chromium sent it. */
export interface TurnkeyCall {
  path: string;
  stamp: (typeof STAMPS)[number] | "none";
  organizationId: unknown;
}

export class DemoPage {
  /** Uncaught exceptions and console errors, but the expected refusals. */
  readonly errors: string[] = [];
  /** Every console line of the page. */
  readonly logged: string[] = [];
  readonly turnkeyCalls: TurnkeyCall[] = [];
  readonly page: Page;
  readonly #screenshots: URL;
  #shot = 0;

  private constructor(page: Page, demo: WebDemo, screenshots: URL) {
    this.page = page;
    this.#screenshots = screenshots;
    page.on("pageerror", (error) => this.errors.push(error.message));
    page.on("console", (message) => {
      this.logged.push(message.text());
      const path = new URL(message.location().url || demo.url).pathname;
      const expected = EXPECTED_REFUSALS.some(([route, status]) => route.test(path) && message.text().includes(`status of ${status} `));
      if (message.type() === "error" && !expected) this.errors.push(`${message.text()} (${message.location().url})`);
    });
    page.on("request", (request) => {
      const url = new URL(request.url());
      if (url.origin !== demo.emulator.apiBaseUrl || request.method() !== "POST") return;
      const headers = request.headers();
      const stamp = STAMPS.find((name) => headers[name] !== undefined) ?? "none";
      this.turnkeyCalls.push({ path: url.pathname, stamp, organizationId: (JSON.parse(request.postData() ?? "{}") as { organizationId?: unknown }).organizationId });
    });
  }

  /** A new tab on the demo; `prepare` runs before the page loads (e.g. adding a passkey provider). */
  static async open(context: BrowserContext, demo: WebDemo, screenshots: URL, prepare: (page: Page) => Promise<void>): Promise<DemoPage> {
    await mkdir(screenshots, { recursive: true });
    const demoPage = new DemoPage(await context.newPage(), demo, screenshots);
    await prepare(demoPage.page);
    await demoPage.page.goto(demo.url);
    await demoPage.page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
    return demoPage;
  }

  /** A full-page screenshot from the top (where the session panel is), numbered in order. */
  async screenshot(name: string): Promise<void> {
    await this.page.evaluate(() => window.scrollTo(0, 0));
    await this.page.screenshot({ path: new URL(`${String(++this.#shot).padStart(2, "0")}-${name}.png`, this.#screenshots).pathname, fullPage: true });
  }

  /** Clicks a step's button, waits for its outcome, checks no JWT is on the page, and takes a screenshot. */
  async clickStep(step: string, name: string): Promise<{ story: string; outcome: string }> {
    const section = this.page.locator(`[data-step="${step}"]`);
    await section.locator("button").click();
    await this.page.waitForSelector(`[data-step="${step}"]:is([data-status=ok], [data-status=failed])`, { timeout: 15_000 });
    const story = await section.locator("ol.story").innerText();
    const outcome = await section.locator(".outcome").innerText();
    await this.screenshot(name);
    expect(await this.page.locator("body").innerText()).not.toMatch(JWT);
    return { story, outcome };
  }

  /** {@link clickStep} for a step that must succeed: its story. */
  async runStep(step: string, name: string): Promise<string> {
    const { story, outcome } = await this.clickStep(step, name);
    expect(outcome, story).toBe("Done.");
    return story;
  }

  /** The session panel, as shown. */
  async shownSession(): Promise<Record<string, string>> {
    const fields = await this.page.locator("#session dd").evaluateAll((nodes) => nodes.map((node) => [(node as HTMLElement).dataset.field, node.textContent]));
    return Object.fromEntries(fields) as Record<string, string>;
  }

  /** The stored session JWT (read only to check it with the backend's verifier; the page never shows it). */
  async storedToken(): Promise<string | undefined> {
    const stored = await this.page.evaluate(() => localStorage.getItem("@turnkey/session/v3"));
    return stored === null ? undefined : (JSON.parse(stored) as { token: string }).token;
  }

  /** What the page sent Turnkey since `from` calls. */
  turnkeyCallsSince(from: number): TurnkeyCall[] {
    return this.turnkeyCalls.slice(from);
  }
}
