#!/usr/bin/env bash
# Runs the Go smoke tests against the module that npx projen package:go wrote to dist/go.
set -euo pipefail
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
cd "$(dirname "$0")"
go test -count=1 -v ./...
