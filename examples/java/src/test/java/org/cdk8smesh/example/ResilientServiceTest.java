package org.cdk8smesh.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.cdk8s.App;
import org.cdk8s.Chart;
import org.cdk8s.ChartProps;
import org.cdk8s.Duration;
import org.cdk8s.Testing;
import org.cdk8smesh.CircuitBreaker;
import org.cdk8smesh.IstioDataPlane;
import org.cdk8smesh.IstioMeshOptions;
import org.cdk8smesh.Mesh;
import org.cdk8smesh.RateLimit;
import org.cdk8smesh.ResilientService;
import org.cdk8smesh.RetryPolicy;
import org.cdk8smesh.ServiceRef;
import org.cdk8smesh.ServiceRefOptions;
import org.junit.jupiter.api.Test;

/** The README's ResilientService, from Java: the Istio VirtualService and DestinationRule it writes. */
class ResilientServiceTest {
  private static Chart chart() {
    return new Chart(Testing.app(), "shop", ChartProps.builder().namespace("shop").build());
  }

  @Test
  @SuppressWarnings("unchecked")
  void writesTheVirtualServiceAndDestinationRule() {
    Chart chart = chart();
    ResilientService.Builder.create(chart, "payment")
        .mesh(Mesh.istio())
        .service(ServiceRef.fromName("payment", ServiceRefOptions.builder().port(8080).build()))
        .timeout(Duration.seconds(3))
        .retries(RetryPolicy.builder().attempts(2).perTryTimeout(Duration.seconds(1)).build())
        .circuitBreaker(CircuitBreaker.builder().consecutiveErrors(5).interval(Duration.seconds(30))
            .ejectionTime(Duration.seconds(30)).maxEjectionPercent(50).build())
        .build();

    List<Object> objects = Testing.synth(chart);
    Map<String, Map<String, Object>> byKind = objects.stream().map(o -> (Map<String, Object>) o)
        .collect(Collectors.toMap(o -> (String) o.get("kind"), o -> o));
    assertTrue(byKind.keySet().containsAll(List.of("VirtualService", "DestinationRule")), byKind.keySet().toString());

    Map<String, Object> vsSpec = (Map<String, Object>) byKind.get("VirtualService").get("spec");
    assertEquals(List.of("payment.shop.svc.cluster.local"), vsSpec.get("hosts"));
    Map<String, Object> route = ((List<Map<String, Object>>) vsSpec.get("http")).get(0);
    assertEquals("3s", route.get("timeout"));
    Map<String, Object> retries = (Map<String, Object>) route.get("retries");
    assertEquals(2, ((Number) retries.get("attempts")).intValue());
    assertEquals("1s", retries.get("perTryTimeout"));

    Map<String, Object> drSpec = (Map<String, Object>) byKind.get("DestinationRule").get("spec");
    Map<String, Object> outlier = (Map<String, Object>) ((Map<String, Object>) drSpec.get("trafficPolicy")).get("outlierDetection");
    assertEquals(5, ((Number) outlier.get("consecutive5xxErrors")).intValue());
    assertEquals("30s", outlier.get("baseEjectionTime"));
  }

  @Test
  void refusesWhatAmbientCannotExpressWithTheSameText() {
    Chart chart = chart();
    RuntimeException e = assertThrows(RuntimeException.class, () -> ResilientService.Builder.create(chart, "payment")
        .mesh(Mesh.istio(IstioMeshOptions.builder().dataPlane(IstioDataPlane.AMBIENT).build()))
        .service(ServiceRef.fromName("payment", ServiceRefOptions.builder().port(80).build()))
        .rateLimit(RateLimit.builder().requestsPerSecond(10).build())
        .build());
    assertTrue(e.getMessage().startsWith("[shop/payment] rateLimit: got 10: Istio ambient cannot express this"), e.getMessage());
  }

  @Test
  void synthesizesYaml() {
    App app = new App();
    Chart chart = new Chart(app, "shop", ChartProps.builder().namespace("shop").build());
    ResilientService.Builder.create(chart, "payment")
        .mesh(Mesh.linkerd())
        .service(ServiceRef.fromName("payment", ServiceRefOptions.builder().port(8080).build()))
        .timeout(Duration.seconds(3))
        .build();
    String yaml = app.synthYaml();
    assertTrue(yaml.contains("kind: HTTPRoute"), yaml);
  }
}
