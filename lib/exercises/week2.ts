import { tf } from "../tf";
import type { Evaluation, History } from "../train/loop";
import { ExerciseError, passed } from "./feedback";

const SIMPLE_CNN = "Assignment 2 (SimpleCNN)";
const CNN_ACCURACY = "Assignment 2 (test accuracy)";
const COMPARISON = "Assignment 3 (comparison row)";
const EXPERIMENTS = "Assignment 4 (experiments)";

type Layer = tf.Sequential["layers"][number];
/** "conv", "pool", "flatten", "dense", or the class name of any other layer. */
type Kind = string;

interface Core {
  kind: Kind;
  layer: Layer;
  /** The layer's own activation, or that of a ReLU/Activation layer right after it. */
  activation: string;
}

const GUIDE_ORDER: Kind[] = ["conv", "pool", "conv", "pool", "flatten", "dense", "dense"];
const SIMPLE_CNN_PARAMS = 206_922;

/** Checks the learner's SimpleCNN against the guide's §13 model, one specific message per mistake. */
export function checkSimpleCNN(model: tf.LayersModel): void {
  if (!model || typeof (model as tf.LayersModel).countParams !== "function") {
    throw new ExerciseError(SIMPLE_CNN, "buildSimpleCNN() must return a tf.Sequential model (did you forget `return`?).");
  }
  const input = model.inputs[0].shape;
  if (input.join(",") !== ",28,28,1") {
    throw new ExerciseError(SIMPLE_CNN, `the model's input shape is [${input.map((d) => d ?? "batch").join(", ")}]; give the first conv layer inputShape: [28, 28, 1] (height, width, channels).`);
  }
  const core = coreLayers(model);
  const convs = core.filter((c) => c.kind === "conv");
  const pools = core.filter((c) => c.kind === "pool");
  const dense = core.filter((c) => c.kind === "dense");
  const features = flattenFeatures(model);

  if (convs.length !== 2) {
    throw new ExerciseError(SIMPLE_CNN, `found ${convs.length} convolution layer(s); the guide's SimpleCNN has 2 (tf.layers.conv2d with 16, then 32 filters).`);
  }
  if (pools.length !== 2) {
    const effect = features === undefined ? "" : ` With ${pools.length} the flatten layer gives ${features.toLocaleString("en-US")} features instead of 7·7·32 = 1,568.`;
    throw new ExerciseError(SIMPLE_CNN, `found ${pools.length} max-pooling layer(s); put tf.layers.maxPooling2d({ poolSize: 2 }) after each conv layer (2 in all).${effect}`);
  }
  if (dense.length !== 2) {
    throw new ExerciseError(SIMPLE_CNN, `found ${dense.length} dense layer(s); the guide's SimpleCNN ends with 2: 1568 → 128 (ReLU) and 128 → 10.`);
  }
  const order = core.map((c) => c.kind);
  if (order.join() !== GUIDE_ORDER.join()) {
    throw new ExerciseError(SIMPLE_CNN, `the layers run ${order.join(" → ")}; the guide's order is ${GUIDE_ORDER.join(" → ")} (${core.length} vs ${GUIDE_ORDER.length} layers, not counting ReLU layers).`);
  }
  const filters = convs.map((c) => config(c.layer).filters as number);
  if (filters.join() !== "16,32") {
    throw new ExerciseError(SIMPLE_CNN, `the conv layers have ${filters.join(" then ")} filters; the guide uses 16 then 32 (filters: 16, filters: 32).`);
  }
  convs.forEach((c, i) => {
    const k = config(c.layer).kernelSize as number[];
    if (k.join() !== "3,3") {
      throw new ExerciseError(SIMPLE_CNN, `conv layer ${i + 1} has a ${k.join("×")} kernel; the guide uses 3×3 (kernelSize: 3).`);
    }
    const padding = config(c.layer).padding;
    if (padding !== "same") {
      throw new ExerciseError(SIMPLE_CNN, `conv layer ${i + 1} has padding "${padding}", which trims a pixel off each border (28 → 26); use padding: "same" (the guide's padding=1) to keep the size.`);
    }
    if (c.activation !== "relu") {
      throw new ExerciseError(SIMPLE_CNN, `conv layer ${i + 1} has activation "${c.activation}"; add activation: "relu" (or a tf.layers.reLU() right after it).`);
    }
  });
  pools.forEach((p, i) => {
    const { poolSize, strides } = config(p.layer) as { poolSize: number[]; strides: number[] };
    if (poolSize.join() !== "2,2" || strides.join() !== "2,2") {
      throw new ExerciseError(SIMPLE_CNN, `pooling layer ${i + 1} has pool size ${poolSize.join("×")} and strides ${strides.join("×")}; use poolSize: 2 (strides default to the pool size), which halves height and width.`);
    }
  });
  const units = dense.map((d) => config(d.layer).units as number);
  if (units.join() !== "128,10") {
    throw new ExerciseError(SIMPLE_CNN, `dense layer sizes are ${units.join(" → ")}; they should be 128 → 10 (one score per digit).`);
  }
  if (dense[0].activation !== "relu") {
    throw new ExerciseError(SIMPLE_CNN, `the hidden dense layer has activation "${dense[0].activation}"; use activation: "relu".`);
  }
  if (dense[1].activation !== "linear") {
    throw new ExerciseError(SIMPLE_CNN, `the last layer has activation "${dense[1].activation}"; leave it linear: the loss applies softmax to the raw class scores (logits), like PyTorch's CrossEntropyLoss.`);
  }
  const output = model.outputs[0].shape;
  if (output.join(",") !== ",10") {
    throw new ExerciseError(SIMPLE_CNN, `the output shape is [${output.map((d) => d ?? "batch").join(", ")}]; it should be [batch, 10].`);
  }
  const params = model.countParams();
  if (params !== SIMPLE_CNN_PARAMS) {
    throw new ExerciseError(SIMPLE_CNN, `the model has ${params.toLocaleString("en-US")} parameters; the guide's SimpleCNN has 206,922 (check useBias and the layer sizes).`);
  }
  passed(SIMPLE_CNN, "conv 16 → pool → conv 32 → pool → flatten 1,568 → dense 128 → dense 10, 206,922 parameters.");
}

/** "Accuracy too low" with the usual causes, so a learner's CNN that trains badly is caught. */
export function checkCnnAccuracy(evaluation: Evaluation, min: number): void {
  const acc = evaluation?.accuracy;
  if (typeof acc !== "number" || !Number.isFinite(acc)) {
    throw new ExerciseError(CNN_ACCURACY, "pass the result of evaluate(model, mnist.test) (an object with .accuracy).");
  }
  if (acc < min) {
    throw new ExerciseError(
      CNN_ACCURACY,
      `test accuracy ${acc.toFixed(4)} is below ${min}. Usual causes: fewer training images or epochs than the notebook's settings, ` +
        `a learning rate far from 0.001, or a softmax on the last layer. Near 0.10 means the model is guessing: check the loss went down.`,
    );
  }
  passed(CNN_ACCURACY, `test accuracy ${acc.toFixed(4)} ≥ ${min}.`);
}

/** One line of the BasicNN-vs-SimpleCNN table (Assignment 3). */
export interface ComparisonRow {
  model: string;
  params: number;
  testAccuracy: number;
  finalTrainLoss: number;
  secondsPerEpoch: number;
}

export type ComparisonRowFn = (name: string, model: tf.LayersModel, history: History, evaluation: Evaluation) => ComparisonRow;

/** Checks the learner's comparisonRow() on a made-up run whose answers are known. */
export function checkComparisonRow(comparisonRow: ComparisonRowFn): void {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] }); // 15 parameters
  const history: History = {
    seconds: 12,
    epochs: [
      { epoch: 1, loss: 0.9, accuracy: 0.7, testLoss: 0.8, testAccuracy: 0.75, seconds: 6, imagesPerSecond: 100 },
      { epoch: 2, loss: 0.4, accuracy: 0.85, testLoss: 0.5, testAccuracy: 0.8, seconds: 6, imagesPerSecond: 100 },
    ],
  };
  const evaluation: Evaluation = { loss: 0.5, accuracy: 0.8, predictions: new Int32Array(0) };
  let row: ComparisonRow;
  try {
    row = comparisonRow("Tiny", model, history, evaluation);
  } finally {
    model.dispose();
  }
  if (!row || typeof row !== "object") throw new ExerciseError(COMPARISON, "comparisonRow() must return an object { model, params, testAccuracy, finalTrainLoss, secondsPerEpoch }.");
  const expected: ComparisonRow = { model: "Tiny", params: 15, testAccuracy: 0.8, finalTrainLoss: 0.4, secondsPerEpoch: 6 };
  const hints: Record<keyof ComparisonRow, string> = {
    model: "use the name argument",
    params: "use model.countParams()",
    testAccuracy: "use evaluation.accuracy (the test set), not a training accuracy",
    finalTrainLoss: "use the LAST epoch's loss: history.epochs[history.epochs.length - 1].loss",
    secondsPerEpoch: "divide history.seconds by the number of epochs",
  };
  for (const key of Object.keys(expected) as (keyof ComparisonRow)[]) {
    const got = row[key];
    const ok = typeof expected[key] === "number" ? typeof got === "number" && Math.abs(got - (expected[key] as number)) < 1e-9 : got === expected[key];
    if (!ok) {
      throw new ExerciseError(COMPARISON, `for a 2-epoch run of a 15-parameter model (12 s, epoch losses 0.9 then 0.4, test accuracy 0.8) ${key} should be ${expected[key]}, got ${got}: ${hints[key]}.`);
    }
  }
  passed(COMPARISON, "params, test accuracy, final training loss and seconds per epoch are read correctly.");
}

/** One training run of Assignment 4: the guide's knobs. */
export interface ExperimentSettings {
  name: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export const GUIDE_BASELINE = { epochs: 5, batchSize: 64, learningRate: 0.001 } as const;
const GUIDE_CHANGES: { key: keyof typeof GUIDE_BASELINE; value: number; question: string }[] = [
  { key: "epochs", value: 10, question: "epochs 5 → 10" },
  { key: "batchSize", value: 128, question: "batch size 64 → 128" },
  { key: "learningRate", value: 0.01, question: "learning rate 0.001 → 0.01" },
];

/** Checks the Assignment 4 plan: the guide's baseline first, then one change at a time covering §16's questions. */
export function checkExperiments(experiments: readonly ExperimentSettings[]): void {
  if (!Array.isArray(experiments) || experiments.length === 0) {
    throw new ExerciseError(EXPERIMENTS, "experiments must be a non-empty array of { name, epochs, batchSize, learningRate }.");
  }
  const knobs = Object.keys(GUIDE_BASELINE) as (keyof typeof GUIDE_BASELINE)[];
  const describe = (e: ExperimentSettings) => knobs.map((k) => `${k} ${e[k]}`).join(", ");
  const [baseline, ...changes] = experiments;
  if (knobs.some((k) => baseline[k] !== GUIDE_BASELINE[k])) {
    throw new ExerciseError(EXPERIMENTS, `the first experiment should be the baseline with the guide's settings (${describe({ name: "", ...GUIDE_BASELINE })}); got ${describe(baseline)}.`);
  }
  const names = experiments.map((e) => e.name);
  const duplicate = names.find((n, i) => !n || names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new ExerciseError(EXPERIMENTS, `every experiment needs its own name (charts and tables are labelled by it); "${duplicate}" is empty or repeated.`);
  for (const e of changes) {
    const changed = knobs.filter((k) => e[k] !== baseline[k]);
    if (changed.length !== 1) {
      throw new ExerciseError(
        EXPERIMENTS,
        `"${e.name}" changes ${changed.length} settings (${changed.join(", ") || "none"}); change exactly one at a time, so any difference from the baseline has one cause.`,
      );
    }
  }
  for (const c of GUIDE_CHANGES) {
    if (!changes.some((e) => e[c.key] === c.value)) {
      throw new ExerciseError(EXPERIMENTS, `no experiment sets ${c.key} to ${c.value}: §16 asks what happens when ${c.question}.`);
    }
  }
  passed(EXPERIMENTS, `baseline + ${changes.length} one-change experiments covering §16's questions.`);
}

function config(layer: Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

/** The layers that matter for the architecture, with separate ReLU layers folded into the layer before. */
function coreLayers(model: tf.LayersModel): Core[] {
  const core: Core[] = [];
  for (const layer of model.layers) {
    const type = layer.getClassName();
    const c = config(layer);
    if (type === "ReLU" || (type === "Activation" && core.length > 0)) {
      const last = core[core.length - 1];
      if (last && last.activation === "linear") last.activation = type === "ReLU" ? "relu" : String(c.activation);
      else core.push({ kind: type, layer, activation: "linear" });
      continue;
    }
    const kind = ({ Conv2D: "conv", MaxPooling2D: "pool", Flatten: "flatten", Dense: "dense" } as Record<string, string>)[type] ?? type;
    core.push({ kind, layer, activation: typeof c.activation === "string" ? c.activation : "linear" });
  }
  return core;
}

function flattenFeatures(model: tf.LayersModel): number | undefined {
  const flatten = model.layers.find((l) => l.getClassName() === "Flatten");
  const shape = flatten?.outputShape as (number | null)[] | undefined;
  return shape ? (shape[1] ?? undefined) : undefined;
}
