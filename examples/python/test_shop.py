"""The Python shop against the TypeScript shop: the same objects, byte for byte after sorting, and the same
error text for a setting the mesh cannot express. Run by ./run.sh (after npx projen examples and
npx projen package:python)."""
import json
import os
import pathlib
import subprocess

import cdk8s
import pytest

from cdk8s_mesh import IstioDataPlane, Mesh, RateLimit, ResilientService, RetryPolicy, ServiceRef
from shop import Shop

ROOT = pathlib.Path(__file__).resolve().parents[2]
TS_OUTPUT = ROOT / "examples" / "dist" / "istio" / "shop.yaml"


def documents(text: str) -> list:
    """The YAML documents of a cdk8s output file, sorted (cdk8s separates them with a line '---')."""
    docs = [d.strip("\n") for d in text.split("\n---\n")]
    return sorted(d for d in docs if d and d != "---")


@pytest.fixture(scope="module")
def ts_output() -> str:
    if not TS_OUTPUT.exists():
        subprocess.run(["npx", "ts-node", "--project", "test/tsconfig.json", "examples/shop/main.ts"], cwd=ROOT, check=True)
    return TS_OUTPUT.read_text()


def test_python_shop_writes_the_typescript_shops_objects(tmp_path, ts_output):
    app = cdk8s.App(outdir=str(tmp_path), output_file_extension=".yaml")
    Shop(app, "shop")
    app.synth()
    python_docs = documents((tmp_path / "shop.yaml").read_text())
    ts_docs = documents(ts_output)
    assert len(ts_docs) > 30
    kinds = {d.split("\nkind: ", 1)[1].split("\n", 1)[0] for d in python_docs}
    assert {"VirtualService", "DestinationRule", "AuthorizationPolicy", "PeerAuthentication", "Gateway", "Telemetry", "ServiceEntry"} <= kinds
    assert python_docs == ts_docs


def test_cdk8s_synth_output_is_the_same(ts_output):
    """dist/shop.yaml written by `cdk8s synth` (app: python3 main.py) in ./run.sh."""
    synthesized = pathlib.Path(__file__).parent / "dist" / "shop.yaml"
    if not synthesized.exists():
        pytest.skip("run ./run.sh (cdk8s synth) first")
    assert documents(synthesized.read_text()) == documents(ts_output)


REFUSED_TS = """
const { App, Chart } = require('cdk8s');
const m = require('./lib');
const chart = new Chart(new App(), 'shop', { namespace: 'shop' });
try {
  new m.ResilientService(chart, 'payment', {
    mesh: m.Mesh.istio({ dataPlane: m.IstioDataPlane.AMBIENT }),
    service: m.ServiceRef.fromName('payment', { port: 80 }),
    retries: { attempts: 2 },
    rateLimit: { requestsPerSecond: 10 },
  });
  console.log(JSON.stringify(null));
} catch (e) {
  console.log(JSON.stringify(e.message));
}
"""


def test_a_refused_setting_raises_the_same_error_text_as_in_typescript():
    ts = subprocess.run(["node", "-e", REFUSED_TS], cwd=ROOT, check=True, capture_output=True, text=True)
    expected = json.loads(ts.stdout.strip().splitlines()[-1])
    assert expected and "Istio ambient cannot express this" in expected

    chart = cdk8s.Chart(cdk8s.App(), "shop", namespace="shop")
    with pytest.raises(Exception) as raised:
        ResilientService(
            chart,
            "payment",
            mesh=Mesh.istio(data_plane=IstioDataPlane.AMBIENT),
            service=ServiceRef.from_name("payment", port=80),
            retries=RetryPolicy(attempts=2),
            rate_limit=RateLimit(requests_per_second=10),
        )
    assert str(raised.value) == expected
