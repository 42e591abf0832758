#!/usr/bin/env bash
# Regenerates src/proto/onnx-pb.ts from proto/onnx.proto (ONNX's onnx.proto3,
# copied unchanged from github.com/onnx/onnx at the tag named in
# proto/VERSION) with protobuf-es (@bufbuild/protoc-gen-es, run by the `buf`
# CLI that @bufbuild/buf ships). Run from packages/onnx: pnpm generate-proto
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
buf generate
mv src/proto/onnx_pb.ts src/proto/onnx-pb.ts
