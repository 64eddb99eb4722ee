// What each step shows: an ordered story of who did what (the page, the backend, Turnkey), and
// the step's outcome. Text only (textContent): nothing from a server is parsed as HTML.

/** Who acted: the code in this page, the example backend, or Turnkey (here: the emulator). */
export type Actor = "frontend" | "backend" | "turnkey";

const LABELS: Record<Actor, string> = { frontend: "Frontend", backend: "Backend", turnkey: "Turnkey" };

/** The story of one step, appended line by line as the step runs, so a failure shows how far it got. */
export class Story {
  readonly #list: HTMLOListElement;

  constructor(list: HTMLOListElement) {
    this.#list = list;
    list.replaceChildren();
  }

  frontend(text: string): void {
    this.#add("frontend", text);
  }

  backend(text: string): void {
    this.#add("backend", text);
  }

  turnkey(text: string): void {
    this.#add("turnkey", text);
  }

  /** A backend answer, shown as it came: status and JSON body (the routes never answer tokens). */
  answer(label: string, status: number, body: unknown): void {
    const item = this.#add("backend", `${label} → ${status}`);
    item.dataset.status = String(status);
    const pre = document.createElement("pre");
    pre.textContent = JSON.stringify(body, null, 2);
    item.append(pre);
  }

  #add(actor: Actor, text: string): HTMLLIElement {
    const item = document.createElement("li");
    item.className = actor;
    const badge = document.createElement("span");
    badge.className = "actor";
    badge.textContent = LABELS[actor];
    item.append(badge, ` ${text}`);
    this.#list.append(item);
    return item;
  }
}

/** A failure the page explains itself (a refused backend call), as opposed to an SDK error. */
export class StepError extends Error {
  override readonly name = "StepError";
}

/**
 * Runs one step of the page: marks its section running, tells its story, then ok or failed
 * (`data-status`, which the browser test waits for). Buttons are disabled meanwhile.
 */
export async function runStep(section: HTMLElement, action: (story: Story) => Promise<void>): Promise<void> {
  const list = section.querySelector<HTMLOListElement>("ol.story");
  const outcome = section.querySelector<HTMLElement>(".outcome");
  if (list === null || outcome === null) throw new Error(`step ${section.dataset.step ?? "?"} lacks ol.story or .outcome`);
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>("button"));
  for (const button of buttons) button.disabled = true;
  section.dataset.status = "running";
  outcome.textContent = "Running…";
  const story = new Story(list);
  try {
    await action(story);
    section.dataset.status = "ok";
    outcome.textContent = "Done.";
  } catch (error) {
    section.dataset.status = "failed";
    outcome.textContent = `Failed: ${describeError(error)}`;
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

/** `@turnkey/core` errors carry a code and a cause (Turnkey's answer); show all three. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${typeof code === "string" ? `${code}: ` : ""}${error.message}${cause}`;
}

/** The first characters of an id or key: enough to tell them apart on screen. */
export function short(value: string): string {
  return value.length > 12 ? `${value.slice(0, 10)}…` : value;
}
