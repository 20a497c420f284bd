import { tf } from "../tf";

export interface LayerRow {
  name: string;
  type: string;
  outputShape: string;
  params: number;
}

/** One row per layer, like the guide's shape-flow tables (batch dimension shown as "batch"). */
export function layerRows(model: tf.LayersModel): LayerRow[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: formatShape(layer.outputShape),
    params: layer.countParams(),
  }));
}

export function formatShape(shape: tf.Shape | tf.Shape[]): string {
  const one = (s: tf.Shape) => `[${s.map((d) => (d === null ? "batch" : d)).join(", ")}]`;
  return Array.isArray(shape[0]) ? (shape as tf.Shape[]).map(one).join(", ") : one(shape as tf.Shape);
}

/** A readable layer table with the parameter total, e.g. for `console.log(layerTable(model))`. */
export function layerTable(model: tf.LayersModel): string {
  const rows = layerRows(model);
  const header: LayerRow = { name: "layer", type: "type", outputShape: "output shape", params: NaN };
  const cells = [header, ...rows].map((r) => [r.name, r.type, r.outputShape, Number.isNaN(r.params) ? "params" : r.params.toLocaleString("en-US")]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((v, c) => (c === 3 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join("  ");
  const total = model.countParams();
  return [line(cells[0]), ...cells.slice(1).map(line), `total parameters: ${total.toLocaleString("en-US")}`].join("\n");
}
