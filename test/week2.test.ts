import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../lib/tf";
import { simpleCNN } from "../lib/models/simple_cnn";
import { basicNN } from "../lib/models/basic_nn";
import { shapeFlow, shapeFlowTable } from "../lib/models/shape_flow";
import { checkCnnAccuracy, checkComparisonRow, checkExperiments, checkSimpleCNN, type ComparisonRowFn, type ExperimentSettings } from "../lib/exercises/week2";

type LayerOptions = { filters?: [number, number]; kernel?: number; padding?: "same" | "valid"; pools?: number; reluLayers?: boolean; lastActivation?: "softmax" };

/** The guide's SimpleCNN written the way a learner would, with one knob per mistake we check for. */
function learnerCNN(o: LayerOptions = {}): tf.Sequential {
  const { filters = [16, 32], kernel = 3, padding = "same", pools = 2, reluLayers = false } = o;
  const act = reluLayers ? undefined : "relu";
  const conv = (i: number) => [
    tf.layers.conv2d({ ...(i === 0 ? { inputShape: [28, 28, 1] } : {}), filters: filters[i], kernelSize: kernel, padding, activation: act }),
    ...(reluLayers ? [tf.layers.reLU()] : []),
    ...(i < pools ? [tf.layers.maxPooling2d({ poolSize: 2 })] : []),
  ];
  return tf.sequential({
    layers: [...conv(0), ...conv(1), tf.layers.flatten(), tf.layers.dense({ units: 128, activation: "relu" }), tf.layers.dense({ units: 10, activation: o.lastActivation })],
  });
}

function problem(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return "(passed)";
}

test("SimpleCNN matches the guide: 206,922 parameters, shapes, seeded PyTorch-style weights", async () => {
  await initBackend({ quiet: true });
  const model = simpleCNN({ seed: 5 });
  assert.equal(model.countParams(), 206_922);
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  for (const [name, fanIn] of [["conv1", 9], ["conv2", 144], ["fc1", 1568]] as const) {
    const values = model.getLayer(name).getWeights()[0].dataSync();
    let max = 0;
    for (const v of values) max = Math.max(max, Math.abs(v));
    const bound = 1 / Math.sqrt(fanIn);
    assert.ok(max <= bound && max > 0.9 * bound, `${name}: |w| max ${max} should approach 1/sqrt(${fanIn}) = ${bound}`);
  }
  const same = simpleCNN({ seed: 5 }).getLayer("conv2").getWeights()[0].dataSync();
  const other = simpleCNN({ seed: 6 }).getLayer("conv2").getWeights()[0].dataSync();
  assert.deepEqual(Array.from(same.slice(0, 10)), Array.from(model.getLayer("conv2").getWeights()[0].dataSync().slice(0, 10)));
  assert.notDeepEqual(Array.from(other.slice(0, 10)), Array.from(same.slice(0, 10)));
  assert.equal(simpleCNN({ inputShape: [32, 32, 3] }).countParams(), 448 + 4640 + 2048 * 128 + 128 + 1290);
  assert.throws(() => simpleCNN({ inputShape: [30, 30, 1] }), /divisible by 4/);
});

test("shape flow follows one batch through SimpleCNN and BasicNN, and stops at the layer that breaks", async () => {
  await initBackend({ quiet: true });
  const x = tf.zeros([64, 28, 28, 1]);
  const before = tf.memory().numTensors;
  const cnn = simpleCNN();
  const steps = shapeFlow(cnn, x);
  assert.deepEqual(
    steps.map((s) => s.shape?.join("x")),
    ["64x28x28x1", "64x28x28x16", "64x14x14x16", "64x14x14x32", "64x7x7x32", "64x1568", "64x128", "64x10"],
  );
  assert.equal(steps.reduce((n, s) => n + s.params, 0), 206_922);
  const table = shapeFlowTable(steps);
  assert.match(table, /\| conv1 \| conv 16 × 3×3, same, relu \| \[64, 28, 28, 16\] \| 160 \|/);
  assert.match(table, /\| pool2 \| max pool 2×2 \| \[64, 7, 7, 32\] \| 0 \|/);
  const basic = basicNN();
  assert.deepEqual(shapeFlow(basic, x).map((s) => s.shape?.join("x")), ["64x28x28x1", "64x784", "64x128", "64x64", "64x10"]);
  basic.dispose();

  // The guide's §24.1 bug: the second pooling layer forgotten, the dense layer still built for 1568.
  const forgotPool = ["conv1", "pool1", "conv2", "flatten", "fc1", "logits"].map((n) => cnn.getLayer(n));
  const broken = shapeFlow(forgotPool, x);
  assert.equal(broken.length, 6, "input + 4 working layers + the failing fc1");
  assert.deepEqual(broken[4].shape, [64, 6272]);
  assert.equal(broken[5].layer, "fc1");
  assert.equal(broken[5].shape, undefined);
  assert.match(broken[5].error!, /1568.*6272/);
  assert.match(shapeFlowTable(broken), /\| fc1 \| dense 128, relu \| ❌ .*1568/);
  cnn.dispose();
  assert.equal(tf.memory().numTensors - before, 0, "shapeFlow must not leak tensors");
  x.dispose();
});

test("checkSimpleCNN passes the guide's model and names each mistake", async () => {
  await initBackend({ quiet: true });
  assert.equal(problem(() => checkSimpleCNN(learnerCNN())), "(passed)");
  assert.equal(problem(() => checkSimpleCNN(learnerCNN({ reluLayers: true }))), "(passed)", "separate ReLU layers are the guide's nn.ReLU()");
  assert.equal(problem(() => checkSimpleCNN(simpleCNN())), "(passed)");
  assert.match(problem(() => checkSimpleCNN(learnerCNN({ pools: 1 }))), /found 1 max-pooling layer.*6,272 features instead of 7·7·32 = 1,568/);
  assert.match(problem(() => checkSimpleCNN(learnerCNN({ filters: [32, 32] }))), /have 32 then 32 filters; the guide uses 16 then 32/);
  assert.match(problem(() => checkSimpleCNN(learnerCNN({ kernel: 5 }))), /conv layer 1 has a 5×5 kernel; the guide uses 3×3/);
  assert.match(problem(() => checkSimpleCNN(learnerCNN({ padding: "valid" }))), /padding "valid".*28 → 26/);
  assert.match(problem(() => checkSimpleCNN(learnerCNN({ lastActivation: "softmax" }))), /last layer has activation "softmax"/);
  const noConv2 = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: "same", activation: "relu" }), tf.layers.maxPooling2d({ poolSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 10 })] });
  assert.match(problem(() => checkSimpleCNN(noConv2)), /found 1 convolution layer/);
  const poolFirst = tf.sequential({
    layers: [
      tf.layers.maxPooling2d({ inputShape: [28, 28, 1], poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu" }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: "relu" }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  assert.match(problem(() => checkSimpleCNN(poolFirst)), /the layers run pool → conv → conv → pool.*the guide's order is conv → pool → conv → pool/);
  assert.match(problem(() => checkSimpleCNN(basicNN())), /found 0 convolution layer/);
  assert.match(problem(() => checkSimpleCNN(undefined as unknown as tf.LayersModel)), /must return a tf.Sequential/);
});

test("accuracy, comparison-row and experiment checks give specific feedback", () => {
  const evaluation = (accuracy: number) => ({ loss: 0.1, accuracy, predictions: new Int32Array(0) });
  assert.equal(problem(() => checkCnnAccuracy(evaluation(0.99), 0.985)), "(passed)");
  assert.match(problem(() => checkCnnAccuracy(evaluation(0.9612), 0.975)), /test accuracy 0.9612 is below 0.975/);

  const right: ComparisonRowFn = (name, model, history, ev) => ({
    model: name,
    params: model.countParams(),
    testAccuracy: ev.accuracy,
    finalTrainLoss: history.epochs[history.epochs.length - 1].loss,
    secondsPerEpoch: history.seconds / history.epochs.length,
  });
  assert.equal(problem(() => checkComparisonRow(right)), "(passed)");
  const totalSeconds: ComparisonRowFn = (...args) => ({ ...right(...args), secondsPerEpoch: args[2].seconds });
  assert.match(problem(() => checkComparisonRow(totalSeconds)), /secondsPerEpoch should be 6, got 12: divide history.seconds/);
  const firstLoss: ComparisonRowFn = (...args) => ({ ...right(...args), finalTrainLoss: args[2].epochs[0].loss });
  assert.match(problem(() => checkComparisonRow(firstLoss)), /finalTrainLoss should be 0.4, got 0.9: use the LAST epoch/);

  const plan: ExperimentSettings[] = [
    { name: "baseline", epochs: 5, batchSize: 64, learningRate: 0.001 },
    { name: "10 epochs", epochs: 10, batchSize: 64, learningRate: 0.001 },
    { name: "batch 128", epochs: 5, batchSize: 128, learningRate: 0.001 },
    { name: "lr 0.01", epochs: 5, batchSize: 64, learningRate: 0.01 },
  ];
  assert.equal(problem(() => checkExperiments(plan)), "(passed)");
  const twoAtOnce = plan.map((e) => (e.name === "batch 128" ? { ...e, learningRate: 0.002 } : e));
  assert.match(problem(() => checkExperiments(twoAtOnce)), /"batch 128" changes 2 settings \(batchSize, learningRate\)/);
  assert.match(problem(() => checkExperiments(plan.slice(0, 3))), /no experiment sets learningRate to 0.01/);
  assert.match(problem(() => checkExperiments(plan.slice(1))), /first experiment should be the baseline/);
  assert.match(problem(() => checkExperiments([...plan, { ...plan[1] }])), /"10 epochs" is empty or repeated/);
});
