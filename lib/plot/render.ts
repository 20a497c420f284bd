// Turns a vega-lite spec into one notebook output that every front end can show: the spec itself
// (interactive in JupyterLab), an SVG (classic Notebook, nbconvert HTML) and a PNG (GitHub, editors
// that show only images). vega/vega-lite 5 are pinned: version 6 is ESM-only and cannot load in tslab.
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vl from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { display, type MimeBundle } from "../display";

export type { TopLevelSpec };

export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
/** resvg has no fallback font: name one that exists (Debian's fonts-dejavu-core) for every label. */
export const FONT = "DejaVu Sans";

export interface Rendered {
  spec: TopLevelSpec;
  svg: string;
  png: Buffer;
}

export async function renderSpec(spec: TopLevelSpec): Promise<Rendered> {
  const themed = withFont(spec);
  const compiled = vl.compile(themed).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return { spec: themed, svg, png: svgToPng(svg) };
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
    background: "white",
  });
  return resvg.render().asPng();
}

/** Shows a chart as one output carrying vega-lite + SVG + PNG + a text description. */
export async function showChart(spec: TopLevelSpec, description?: string): Promise<Rendered> {
  const rendered = await renderSpec(spec);
  const bundle: MimeBundle = {
    [VEGALITE_MIME]: rendered.spec as object,
    "image/svg+xml": rendered.svg,
    "image/png": rendered.png,
    "text/plain": description ?? `[chart: ${titleOf(spec) ?? "untitled"}]`,
  };
  display(bundle);
  return rendered;
}

function titleOf(spec: TopLevelSpec): string | undefined {
  const t = (spec as { title?: unknown }).title;
  return typeof t === "string" ? t : (t as { text?: string } | undefined)?.text;
}

function withFont(spec: TopLevelSpec): TopLevelSpec {
  return { ...spec, config: { font: FONT, ...spec.config } };
}
