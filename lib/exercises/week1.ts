import { tf } from "../tf";
import { ExerciseError, passed } from "./feedback";

const BASIC_NN = "Exercise 1 (BasicNN)";
const ACCURACY = "Exercise 2 (accuracy)";

/** Checks the learner's BasicNN against the guide's: layers, sizes, activations, output. */
export function checkBasicNN(model: tf.LayersModel): void {
  if (!model || typeof (model as tf.LayersModel).countParams !== "function") {
    throw new ExerciseError(BASIC_NN, "buildBasicNN() must return a tf.Sequential model (did you forget `return model`?).");
  }
  const dense = model.layers.filter((l) => l.getClassName() === "Dense");
  if (model.layers[0]?.getClassName() !== "Flatten") {
    throw new ExerciseError(BASIC_NN, "the first layer should be tf.layers.flatten({ inputShape: [28, 28, 1] }) so each 28×28 image becomes 784 numbers.");
  }
  const input = model.inputs[0].shape;
  if (input.join(",") !== ",28,28,1") {
    throw new ExerciseError(BASIC_NN, `the model's input shape is [${input.map((d) => d ?? "batch").join(", ")}]; MNIST batches are [batch, 28, 28, 1].`);
  }
  if (dense.length !== 3) {
    throw new ExerciseError(BASIC_NN, `found ${dense.length} dense layer(s); the guide's BasicNN has 3: 784→128, 128→64, 64→10.`);
  }
  const units = dense.map((l) => (l.getConfig() as { units: number }).units);
  if (units.join(",") !== "128,64,10") {
    throw new ExerciseError(BASIC_NN, `dense layer sizes are ${units.join(" → ")}; they should be 128 → 64 → 10.`);
  }
  const activations = dense.map((l) => (l.getConfig() as { activation: string }).activation);
  if (activations[0] !== "relu" || activations[1] !== "relu") {
    throw new ExerciseError(BASIC_NN, `hidden activations are ${activations.slice(0, 2).join(", ")}; use activation: "relu" on the two hidden layers.`);
  }
  if (activations[2] !== "linear") {
    throw new ExerciseError(BASIC_NN, `the last layer has activation "${activations[2]}"; leave it linear: the loss applies softmax to the raw class scores (logits), like PyTorch's CrossEntropyLoss.`);
  }
  const params = model.countParams();
  if (params !== 109_386) {
    throw new ExerciseError(BASIC_NN, `the model has ${params.toLocaleString("en-US")} parameters; the guide's BasicNN has 109,386 (check useBias and the layer sizes).`);
  }
  passed(BASIC_NN, "3 dense layers 784 → 128 → 64 → 10 with ReLU, 109,386 parameters.");
}

/** Checks the learner's accuracy(logits, labels) on cases with known answers, ties included. */
export function checkAccuracy(accuracy: (logits: tf.Tensor2D, labels: tf.Tensor1D) => number): void {
  const cases: { logits: number[][]; labels: number[]; expected: number; what: string }[] = [
    { logits: [[0.1, 2, -1], [3, 0, 0], [0, 0, 5], [1, 2, 3]], labels: [1, 0, 2, 0], expected: 0.75, what: "3 of 4 right" },
    { logits: [[5, 1], [5, 1]], labels: [1, 1], expected: 0, what: "none right" },
    { logits: [[-3, -1, -2]], labels: [1], expected: 1, what: "negative scores: the largest is still the prediction" },
  ];
  for (const c of cases) {
    const got = tf.tidy(() => accuracy(tf.tensor2d(c.logits), tf.tensor1d(c.labels, "int32")));
    if (typeof got !== "number") {
      throw new ExerciseError(ACCURACY, `accuracy() returned ${typeof got}; return a plain number (read the tensor with .dataSync()[0] or await .data()).`);
    }
    if (Math.abs(got - c.expected) > 1e-6) {
      const hint = Math.abs(got - c.expected * c.labels.length) < 1e-6 ? " It looks like a count: divide by the number of labels." : "";
      throw new ExerciseError(ACCURACY, `for ${c.what} (logits ${JSON.stringify(c.logits)}, labels ${JSON.stringify(c.labels)}) expected ${c.expected}, got ${got}.${hint} Use tf.argMax(logits, 1) for the predictions.`);
    }
  }
  passed(ACCURACY, "argmax predictions compared with the labels, averaged.");
}
