#!/usr/bin/env bash
# Builds the Go module (dist/go/cdk8smesh, module github.com/cdk8s-mesh/cdk8s-mesh-go/cdk8smesh) with
# jsii-pacmak, as `jsii-pacmak --target go` does, with two differences that the Go module proxy the
# machines reach makes necessary (checked: `go list -m -versions` on each module):
#  - the proxy refuses github.com/cdk8s-team/cdk8s-core-go entirely, so cdk8s's Go binding is generated here
#    too, from the jsii assembly of the npm cdk8s the library is compiled against (dist/go/cdk8s, the same
#    module path and code as the published one); programs built here point at it with a `replace`;
#  - it serves jsii-runtime-go v1.139.0, v1.141.0 and v1.142.0 but not the v1.140.0 that this jsii-pacmak names,
#    so both go.mod files require JSII_RUNTIME_GO (same major version; the runtime carries its own kernel).
# Usage: npx projen package:go (after compile)
set -euo pipefail
cd "$(dirname "$0")/.."
JSII_RUNTIME_GO=${JSII_RUNTIME_GO:-v1.142.0}
rm -rf dist/go
jsii-pacmak --target go --code-only --outdir dist .
jsii-pacmak --target go --code-only --outdir dist node_modules/cdk8s
sed -i -E "s#(github.com/aws/jsii-runtime-go) v[0-9.]+#\1 ${JSII_RUNTIME_GO}#" dist/go/cdk8smesh/go.mod dist/go/cdk8s/go.mod
grep -q "jsii-runtime-go ${JSII_RUNTIME_GO}" dist/go/cdk8smesh/go.mod
# check that the generated code compiles (as jsii-pacmak does), with a local go.mod that is not shipped
(cd dist/go/cdk8s && go mod tidy && go build ./...)
cd dist/go/cdk8smesh
cp go.mod local.go.mod
printf '\nreplace github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 => ../cdk8s\n' >> local.go.mod
go mod tidy -modfile local.go.mod
go build -modfile local.go.mod ./...
rm -f local.go.mod local.go.sum
echo "Go module: dist/go/cdk8smesh ($(head -1 go.mod))"
