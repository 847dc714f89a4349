package smoke

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-mesh/cdk8s-mesh-go/cdk8smesh"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
)

// The README's zero-trust namespace, from Go: STRICT mTLS, default deny, and one allowed call.
func TestZeroTrustNamespaceWritesIstioPolicies(t *testing.T) {
	app := cdk8s.NewApp(nil)
	chart := cdk8s.NewChart(app, jsii.String("shop"), &cdk8s.ChartProps{Namespace: jsii.String("shop")})
	cdk8smesh.NewZeroTrustNamespace(chart, jsii.String("zero-trust"), &cdk8smesh.ZeroTrustNamespaceProps{
		Mesh: cdk8smesh.Mesh_Istio(nil),
		Allow: &[]*cdk8smesh.AccessRule{{
			Callers:    &[]cdk8smesh.Identity{cdk8smesh.Identity_ServiceAccount(jsii.String("order"), nil)},
			To:      cdk8smesh.ServiceRef_FromName(jsii.String("payment"), &cdk8smesh.ServiceRefOptions{Port: jsii.Number(8080)}),
			Methods: &[]cdk8smesh.HttpMethod{cdk8smesh.HttpMethod_POST},
			Paths:   &[]cdk8smesh.PathMatch{cdk8smesh.PathMatch_Exact(jsii.String("/process-payment"))},
		}},
	})
	yaml := *app.SynthYaml()
	for _, want := range []string{
		"kind: PeerAuthentication",
		"mode: STRICT",
		"kind: AuthorizationPolicy",
		"cluster.local/ns/shop/sa/order",
		"/process-payment",
	} {
		if !strings.Contains(yaml, want) {
			t.Errorf("synthesized YAML has no %q:\n%s", want, yaml)
		}
	}

	// the reachability matrix agrees: order may POST /process-payment, web may not
	matrix := cdk8smesh.ReachabilityMatrix_FromYaml(jsii.String(yaml), &cdk8smesh.ReachabilityOptions{DefaultNamespace: jsii.String("shop")})
	query := func(caller string) bool {
		return *matrix.Check(&cdk8smesh.ReachabilityQuery{
			Caller: jsii.String(caller), Service: jsii.String("shop/payment"), Method: jsii.String("POST"), Path: jsii.String("/process-payment"),
		}).Allowed
	}
	if !query("shop/order") || query("shop/web") {
		t.Errorf("reachability: order allowed=%v (want true), web allowed=%v (want false)", query("shop/order"), query("shop/web"))
	}
}

// A setting the mesh cannot express is refused with the library's message (a Go panic from the jsii runtime).
func TestRefusedSettingPanicsWithTheLibrarysMessage(t *testing.T) {
	chart := cdk8s.NewChart(cdk8s.NewApp(nil), jsii.String("shop"), &cdk8s.ChartProps{Namespace: jsii.String("shop")})
	defer func() {
		r := recover()
		if r == nil {
			t.Fatal("no panic for a rate limit on Istio ambient")
		}
		msg := r.(error).Error()
		if !strings.Contains(msg, "[shop/payment] rateLimit: got 10: Istio ambient cannot express this") {
			t.Errorf("unexpected message: %s", msg)
		}
	}()
	cdk8smesh.NewResilientService(chart, jsii.String("payment"), &cdk8smesh.ResilientServiceProps{
		Mesh:      cdk8smesh.Mesh_Istio(&cdk8smesh.IstioMeshOptions{DataPlane: cdk8smesh.IstioDataPlane_AMBIENT}),
		Service:   cdk8smesh.ServiceRef_FromName(jsii.String("payment"), &cdk8smesh.ServiceRefOptions{Port: jsii.Number(80)}),
		RateLimit: &cdk8smesh.RateLimit{RequestsPerSecond: jsii.Number(10)},
	})
}
