#!/usr/bin/env bash
# Runs the Java smoke tests (mvn test) against the jar that npx projen package:java wrote to dist/java.
set -euo pipefail
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
cd "$(dirname "$0")"
# the Maven local repository that package:java filled (.m2/), and the jar from dist/java, not a copy that an
# earlier run left there
repo=$(cd ../.. && pwd)/.m2/repository
rm -rf "$repo/org/cdk8smesh/cdk8s-mesh"
mvn -B --no-transfer-progress -Dmaven.repo.local="$repo" test
