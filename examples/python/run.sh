#!/usr/bin/env bash
# Installs the built wheel (dist/python, npx projen package:python) into a fresh virtual environment,
# synthesizes the shop with `cdk8s synth` (cdk8s.yaml: app: python3 main.py) and runs the tests, which
# compare its output with the TypeScript shop's (examples/dist/istio, npx projen examples).
set -euo pipefail
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK8S_CHECK_UPGRADE=false
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
wheel=$(ls "$root"/dist/python/cdk8s_mesh-*.whl)
rm -rf .venv dist
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt "$wheel"
export PATH="$PWD/.venv/bin:$PATH"
# cdk8s synth with the Python app (the cdk8s CLI is a dev dependency of the library)
"$root"/node_modules/.bin/cdk8s synth --no-check-upgrade
test -s dist/shop.yaml
python -m pytest -q test_shop.py
