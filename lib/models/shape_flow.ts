// The guide's shape-flow tables (§6.1, §14), measured rather than inferred: one real batch goes
// through the layers one at a time, so a mismatch shows up at the exact layer that breaks.
import { tf } from "../tf";
import { markdown } from "../display";

type Layer = tf.Sequential["layers"][number];

export interface ShapeStep {
  /** "input" for the batch itself, else the layer's name. */
  layer: string;
  /** e.g. "conv 16 × 3×3, same, relu"; empty for the input row. */
  what: string;
  /** The shape this step produced; undefined when the layer failed. */
  shape?: number[];
  params: number;
  /** Why the layer rejected its input (the first failing layer ends the flow). */
  error?: string;
}

/**
 * Runs `input` through `model` (or a list of already-built layers) layer by layer and records each
 * output shape. A layer that throws ends the flow with its error, so broken stacks can be inspected.
 */
export function shapeFlow(model: tf.LayersModel | readonly Layer[], input: tf.Tensor): ShapeStep[] {
  const layers = Array.isArray(model) ? (model as readonly Layer[]) : (model as tf.LayersModel).layers;
  if (layers.length === 0) throw new Error("shapeFlow: the model has no layers.");
  const steps: ShapeStep[] = [{ layer: "input", what: "", shape: input.shape.slice(), params: 0 }];
  tf.tidy(() => {
    let h: tf.Tensor = input;
    for (const layer of layers) {
      const step: ShapeStep = { layer: layer.name, what: describe(layer), params: 0 };
      steps.push(step);
      try {
        h = layer.apply(h, { training: false }) as tf.Tensor;
      } catch (e) {
        step.error = e instanceof Error ? e.message : String(e);
        break;
      }
      step.shape = h.shape.slice();
      // After apply(), so a layer built by this very call reports its weights.
      step.params = layer.countParams();
    }
  });
  return steps;
}

/** The steps as a markdown table; a failing layer gets ❌ and its error. */
export function shapeFlowTable(steps: readonly ShapeStep[]): string {
  const rows = steps.map((s) => {
    const shape = s.shape ? `[${s.shape.join(", ")}]` : `❌ ${s.error?.replace(/\|/g, "\\|")}`;
    return `| ${s.layer} | ${s.what} | ${shape} | ${s.params.toLocaleString("en-US")} |`;
  });
  return ["| layer | what it does | output shape | params |", "|---|---|---|---:|", ...rows].join("\n");
}

/** Shows the shape-flow table of one batch through the model (use shapeFlow() for the data). */
export function showShapeFlow(model: tf.LayersModel | readonly Layer[], input: tf.Tensor): void {
  markdown(shapeFlowTable(shapeFlow(model, input)));
}

/** A short human description from the layer's config (the part of the guide's table in words). */
function describe(layer: Layer): string {
  const c = layer.getConfig() as Record<string, unknown>;
  const act = c.activation && c.activation !== "linear" ? `, ${c.activation}` : "";
  const size = (v: unknown) => (Array.isArray(v) ? v.join("×") : `${v}×${v}`);
  switch (layer.getClassName()) {
    case "Conv2D":
      return `conv ${c.filters} × ${size(c.kernelSize)}, ${c.padding}${act}`;
    case "MaxPooling2D":
      return `max pool ${size(c.poolSize)}`;
    case "Flatten":
      return "flatten";
    case "Dense":
      return `dense ${c.units}${act}`;
    case "Activation":
      return String(c.activation);
    default:
      return layer.getClassName();
  }
}
