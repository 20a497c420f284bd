#!/usr/bin/env bash
# GPU lane (self-hosted NVIDIA runner): install with tfjs-node-gpu, prove the GPU is used, then run
# every solution notebook in the full profile and check the full-profile ranges.
set -euo pipefail
cd "$(dirname "$0")/../.."

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
npm ci --no-audit --no-fund
if [ ! -d node_modules/@tensorflow/tfjs-node-gpu ]; then
  echo "tfjs-node-gpu did not install (its install script downloads libtensorflow-gpu 2.9.1): check network and CUDA 11.2 / cuDNN 8.1" >&2
  exit 1
fi
export COURSE_BACKEND=tfjs-node-gpu COURSE_REQUIRE_GPU=1
# Fails here, before any notebook, if libtensorflow cannot see the GPU.
node --import tsx -e 'require("./lib/tf").initBackend().catch((e) => { console.error(e.message); process.exit(1); })'
npm run notebooks -- --profile full solutions/*.ipynb
