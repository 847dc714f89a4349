// A Go program against the built Go module (dist/go/cdk8smesh, npx projen package:go): synthesizes a
// ZeroTrustNamespace for Istio and checks the output (go test; run by ./run.sh). The module is not
// published, and the Go module proxy refuses cdk8s-core-go, so both come from dist/go (scripts/package-go.sh).
module github.com/cdk8s-mesh/cdk8s-mesh-go-smoke

go 1.26.0

require (
	github.com/aws/jsii-runtime-go v1.142.0
	github.com/cdk8s-mesh/cdk8s-mesh-go/cdk8smesh v0.0.0
	github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 v2.70.0
)

require (
	github.com/Masterminds/semver/v3 v3.5.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.4.2 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/yuin/goldmark v1.7.16 // indirect
	golang.org/x/lint v0.0.0-20241112194109-818c5a804067 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/telemetry v0.0.0-20261009151841-97e8ea77aa2a // indirect
	golang.org/x/tools v0.52.0 // indirect
	golang.org/x/tools/cmd/godoc v0.1.0-deprecated // indirect
	golang.org/x/tools/godoc v0.1.0-deprecated // indirect
)

replace github.com/cdk8s-mesh/cdk8s-mesh-go/cdk8smesh => ../../dist/go/cdk8smesh

replace github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2 => ../../dist/go/cdk8s
