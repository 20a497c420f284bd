// Rich output for tslab notebooks, with a plain-text fallback everywhere else (tests, benchmarks,
// scripts). tslab's public display API sends one MIME type per output; its internal writer (pinned
// tslab 1.0.22) takes a whole bundle, which is what lets one output carry several representations.
import { randomBytes } from "node:crypto";
import * as jupyter from "tslab/dist/jupyter";

/** MIME type → data: text, bytes (sent base64, e.g. PNG) or a JSON object (e.g. a vega-lite spec). */
export type MimeBundle = Record<string, string | Uint8Array | object>;

export function inNotebook(): boolean {
  return jupyter.lastWriteDisplayData != null;
}

/** Shows one output; outside a notebook prints its text/plain (if any). */
export function display(bundle: MimeBundle): void {
  send(bundle, undefined, false);
}

/** An output that can be rewritten in place (progress lines, live tables). */
export interface LiveOutput {
  /**
   * Shows `bundle` in place of the previous one. Updates closer than MIN_UPDATE_MS apart are
   * dropped unless `final` (the state that must stay). Await it: after a send it yields to the
   * event loop so the message leaves before the next one.
   */
  update(bundle: MimeBundle, options?: { final?: boolean }): Promise<void>;
}

// tslab sends on its zeromq socket without waiting for the previous send: two sends in flight
// crash the kernel ("Socket is busy writing"). Seen with a progress line per batch of a
// 10,000-image loop. Fewer updates, each given time to leave, keep the kernel alive.
const MIN_UPDATE_MS = 250;

export function liveOutput(): LiveOutput {
  const id = randomBytes(8).toString("hex");
  let shown = false;
  let last = -Infinity;
  return {
    async update(bundle, options = {}) {
      if (!options.final && performance.now() - last < MIN_UPDATE_MS) return;
      send(bundle, id, shown);
      shown = true;
      last = performance.now();
      if (inNotebook()) await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

export function markdown(md: string): void {
  display({ "text/markdown": md, "text/plain": md });
}

function send(bundle: MimeBundle, displayId: string | undefined, update: boolean): void {
  const write = jupyter.lastWriteDisplayData;
  if (write == null) {
    // Outside a notebook only the final state of a live output matters, so updates are left to the caller.
    if (!update && typeof bundle["text/plain"] === "string") console.log(bundle["text/plain"]);
    return;
  }
  const data: Record<string, string | object> = {};
  for (const [mime, value] of Object.entries(bundle)) {
    data[mime] = value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value;
  }
  // tslab's type says string values only, but the writer passes any JSON through to Jupyter.
  write({ data: data as Record<string, string>, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update);
}
