"""The shop for Istio as a cdk8s Python app: `cdk8s synth` (cdk8s.yaml: app: python3 main.py) writes dist/shop.yaml."""
import cdk8s

from shop import Shop

app = cdk8s.App(output_file_extension=".yaml")
Shop(app, "shop")
app.synth()
