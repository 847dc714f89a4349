"""The shop of examples/shop/main.ts for Istio (sidecar data plane), written in Python against the
cdk8s-mesh wheel: a web front end, an order service, a payment service (v1, and v2 in release) and a
user service, with their resilience, zero trust, ingress, telemetry, egress and the payment release.

test_shop.py checks that it synthesizes the same objects as the TypeScript shop (examples/dist/istio/).
"""
import math

import cdk8s
import cdk8s_plus_28 as kplus
from constructs import Construct

from cdk8s_mesh import (
    AccessRule,
    CanaryRelease,
    CanaryRequestMatch,
    CanaryStep,
    CircuitBreaker,
    ConnectionPool,
    HeaderMatch,
    HealthAlert,
    HttpMethod,
    Identity,
    IngressGateway,
    IngressRoute,
    JwtAuthentication,
    Mesh,
    MtlsPhase,
    PathMatch,
    RateLimit,
    ReleaseVersion,
    RequestMatch,
    ResilientService,
    RetryPolicy,
    RouteMatch,
    RouteOverride,
    ServiceRef,
    EgressPolicy,
    ExternalHost,
    FaultAbort,
    FaultDelay,
    FaultInjection,
    FaultRule,
    AccessLoggingOptions,
    TraceTag,
    TracingOptions,
    TrafficTelemetry,
    UnsupportedSettings,
    ZeroTrustNamespace,
)

# 3 s timeout, tries of 1 s: the first try and 2 retries fit in the timeout
RETRIES = RetryPolicy(attempts=2, per_try_timeout=cdk8s.Duration.seconds(1))
TIMEOUT = cdk8s.Duration.seconds(3)
# 5 consecutive errors, scanned every 30 s, ejected for 30 s, at most 50 % of the endpoints
CIRCUIT_BREAKER = CircuitBreaker(
    consecutive_errors=5,
    interval=cdk8s.Duration.seconds(30),
    ejection_time=cdk8s.Duration.seconds(30),
    max_ejection_percent=50,
)
# payment v2's share of requests at each step of its release
RELEASE_WEIGHTS = [10, 25, 50, 100]


def _meta(name: str) -> cdk8s.ApiObjectMetadata:
    return cdk8s.ApiObjectMetadata(name=name)


def _container(name: str, image: str) -> kplus.ContainerProps:
    return kplus.ContainerProps(
        name=name,
        image=image,
        port_number=8080,
        security_context=kplus.ContainerSecurityContextProps(user=1000, group=1000),
    )


class Shop(cdk8s.Chart):
    def __init__(self, scope: Construct, id: str, *, release_step: int = 1) -> None:
        super().__init__(scope, id, namespace="shop", disable_resource_name_hashes=True)
        mesh = Mesh.istio()

        def service(name: str, image: str) -> ServiceRef:
            deployment = kplus.Deployment(
                self,
                name,
                metadata=_meta(name),
                replicas=2,
                service_account=kplus.ServiceAccount(self, f"{name}-sa", metadata=_meta(name)),
                pod_metadata=cdk8s.ApiObjectMetadata(labels={"app": name, "version": "v1"}),
                containers=[_container(name, image)],
            )
            return ServiceRef.from_service(
                deployment.expose_via_service(name=name, ports=[kplus.ServicePort(port=80, target_port=8080, name="http")])
            )

        web = service("web", "ghcr.io/example/shop-web:1.4.2")
        order = service("order", "ghcr.io/example/shop-order:2.1.0")
        user = service("user", "ghcr.io/example/shop-user:1.9.0")

        # payment runs two versions behind one Service that selects app=payment
        payment_sa = kplus.ServiceAccount(self, "payment-sa", metadata=_meta("payment"))

        def payment_version(version: str, image: str) -> kplus.Deployment:
            replicas = 3 if version == "v1" else max(1, math.ceil(RELEASE_WEIGHTS[release_step - 1] * 3 / 100))
            return kplus.Deployment(
                self,
                f"payment-{version}",
                metadata=_meta(f"payment-{version}"),
                replicas=replicas,
                service_account=payment_sa,
                pod_metadata=cdk8s.ApiObjectMetadata(labels={"app": "payment"}),
                containers=[_container("payment", image)],
            )

        payment_v1 = payment_version("v1", "ghcr.io/example/shop-payment:3.0.1")
        payment_v2 = payment_version("v2", "ghcr.io/example/shop-payment:3.1.0")
        payment = ServiceRef.from_service(
            kplus.Service(
                self,
                "payment-svc",
                metadata=_meta("payment"),
                ports=[kplus.ServicePort(port=80, target_port=8080, name="http")],
                selector=kplus.Pods.select(self, "payment-pods", labels={"app": "payment"}),
            )
        )

        ResilientService(
            self,
            "order-resilience",
            mesh=mesh,
            service=order,
            timeout=TIMEOUT,
            retries=RETRIES,
            circuit_breaker=CIRCUIT_BREAKER,
            # creating an order is not idempotent: never retried, and given more time
            routes=[
                RouteOverride(
                    name="create-order",
                    match=RouteMatch(path=PathMatch.prefix("/orders"), methods=[HttpMethod.POST]),
                    timeout=cdk8s.Duration.seconds(5),
                    no_retries=True,
                )
            ],
            callers=[web],
            unsupported_settings=UnsupportedSettings.FAIL,
        )
        ResilientService(
            self,
            "payment-resilience",
            mesh=mesh,
            service=payment,
            timeout=TIMEOUT,
            retries=RETRIES,
            circuit_breaker=CIRCUIT_BREAKER,
            connection_pool=ConnectionPool(max_connections=100, max_pending_requests=50, max_concurrent_requests=100),
            callers=[order],
            unsupported_settings=UnsupportedSettings.FAIL,
        )
        ResilientService(
            self,
            "user-resilience",
            mesh=mesh,
            service=user,
            timeout=TIMEOUT,
            retries=RETRIES,
            circuit_breaker=CIRCUIT_BREAKER,
            rate_limit=RateLimit(requests_per_second=200),
            callers=[web, order],
            unsupported_settings=UnsupportedSettings.FAIL,
        )

        # the edge: shop.example.com over HTTPS, /api to the order service and the rest to web, with a JWT
        ingress = IngressGateway(
            self,
            "ingress",
            mesh=mesh,
            name="shop",
            host="shop.example.com",
            tls_secret_name="shop-example-com-tls",
            routes=[IngressRoute(path_prefix="/", service=web), IngressRoute(path_prefix="/api", service=order)],
            jwt=JwtAuthentication(
                issuer="https://auth.example.com",
                jwks_uri="https://auth.example.com/.well-known/jwks.json",
                audiences=["shop"],
            ),
        )
        api_gateway = Identity.service_account("api-gateway")
        edge = [api_gateway, ingress.caller_identity] if ingress.caller_identity else [api_gateway]

        # zero trust: STRICT mTLS, default deny, and exactly the calls the shop makes
        ZeroTrustNamespace(
            self,
            "zero-trust",
            mesh=mesh,
            mtls=MtlsPhase.STRICT,
            allow=[
                AccessRule(callers=edge, to=web),
                AccessRule(callers=[Identity.service_account("web"), *edge], to=order),
                AccessRule(
                    callers=[Identity.service_account("web"), Identity.service_account("order")],
                    to=user,
                    methods=[HttpMethod.GET],
                ),
                AccessRule(
                    name="payment-from-order",
                    callers=[Identity.service_account("order"), Identity.service_account("api-gateway")],
                    to=payment,
                    methods=[HttpMethod.POST],
                    paths=[PathMatch.exact("/process-payment")],
                ),
            ],
        )

        # telemetry: traces of 1 % of requests with the shop's tags, access logs of failed requests
        TrafficTelemetry(
            self,
            "telemetry",
            mesh=mesh,
            tracing=TracingOptions(
                provider="jaeger",
                sampling_percentage=1,
                custom_tags={
                    "environment": TraceTag.literal("production"),
                    "cluster": TraceTag.from_environment("ISTIO_META_CLUSTER_ID"),
                },
            ),
            access_logging=AccessLoggingOptions(filter="response.code >= 400"),
        )

        # egress: payment calls the card processor over HTTPS, and nothing else leaves the shop
        EgressPolicy(self, "egress", mesh=mesh, hosts=[ExternalHost(host="api.stripe.com")], registry_only=True)

        # chaos testing of the user service: requests that ask for it get a 2 s delay (x-chaos: delay) or an
        # HTTP 503 (x-chaos: abort); every other request is untouched
        FaultInjection(
            self,
            "user-chaos",
            mesh=mesh,
            service=user,
            rules=[
                FaultRule(
                    match=RequestMatch(headers=[HeaderMatch.exact("x-chaos", "delay")]),
                    delay=FaultDelay(fixed_delay=cdk8s.Duration.seconds(2), percent=100),
                ),
                FaultRule(
                    match=RequestMatch(headers=[HeaderMatch.exact("x-chaos", "abort")]),
                    abort=FaultAbort(http_status=503, percent=100),
                ),
            ],
        )

        # release payment v2: 10 % of requests, and every request of a test user
        CanaryRelease(
            self,
            "payment-release",
            mesh=mesh,
            service=payment,
            stable=ReleaseVersion.from_deployment(payment_v1, "v1"),
            canary=ReleaseVersion.from_deployment(payment_v2, "v2"),
            steps=[
                CanaryStep(weight=RELEASE_WEIGHTS[0], pause=cdk8s.Duration.minutes(30)),
                CanaryStep(weight=RELEASE_WEIGHTS[1], pause=cdk8s.Duration.minutes(30)),
                CanaryStep(weight=RELEASE_WEIGHTS[2], pause=cdk8s.Duration.hours(1)),
                CanaryStep(weight=RELEASE_WEIGHTS[3]),
            ],
            step=release_step,
            canary_requests=[CanaryRequestMatch(headers=[HeaderMatch.exact("x-test-user", "true")])],
            # kube-prometheus-stack's Prometheus loads the PrometheusRules labelled with its release
            health_alert=HealthAlert(
                max_error_rate_percent=1,
                max_p99_latency=cdk8s.Duration.millis(500),
                prometheus_labels={"release": "kube-prometheus-stack"},
            ),
        )
