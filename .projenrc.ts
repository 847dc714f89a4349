import { Component, cdk8s, javascript } from 'projen';
import { layerZones } from './projenrc/layers';

const project = new cdk8s.ConstructLibraryCdk8s({
  author: 'cdk8s-mesh maintainers',
  authorAddress: 'maintainers@users.noreply.h-seed-7894a583.example',
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.4.2',
  jsiiVersion: '~6.0.0',
  name: 'cdk8s-mesh',
  description: 'Typed cdk8s constructs that synthesize correct, validated Istio, Linkerd and Consul service-mesh configuration',
  keywords: ['cdk8s', 'istio', 'linkerd', 'consul', 'service-mesh', 'gateway-api', 'kubernetes'],
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: 'https://github.com/cdk8s-mesh/cdk8s-mesh.git',
  defaultReleaseBranch: 'main',
  github: false,
  release: false,
  // cdk8s-plus objects are read through the objects they synthesize (any cdk8s-plus 2.x package, an
  // imported L1 or an ApiObject): no cdk8s-plus package is a runtime dependency; tests use two side by side
  peerDeps: [],
  // runtime libraries of the validator; bundled because they are not jsii modules
  bundledDeps: ['ajv@^8.17.1', 'js-yaml@^4.1.0', 'yaml@^2.8.0', '@bufbuild/cel@^0.6.1', '@bufbuild/re2@^0.6.1', '@bufbuild/protobuf@^2.6.2'],
  devDeps: ['cdk8s-cli@^2.207.0', '@types/js-yaml@^4.0.9', 'fast-check@^4.0.0', 'cdk8s-plus-28@^2.5.6', 'cdk8s-plus-33@^2.5.57',
    // pinned: the engines field below must not make projen derive @types/node from the minimum Node version
    '@types/node@^26.6.6',
    // drives Debian's chromium (executablePath) for the graph page's browser test; never downloads a browser
    'playwright-core@^1.64.1'],
  bin: { 'cdk8s-mesh': 'bin/cdk8s-mesh' },
  // jsii targets (`npx projen package-all` builds dist/js, dist/python, dist/java, dist/go; .ci/run builds them
  // and runs examples/python, examples/java, examples/go against them). No registry is published to
  // (release: false). .NET is off: no .NET toolchain on the machines.
  publishToPypi: { distName: 'cdk8s-mesh', module: 'cdk8s_mesh' },
  publishToMaven: { javaPackage: 'org.cdk8smesh', mavenGroupId: 'org.cdk8smesh', mavenArtifactId: 'cdk8s-mesh' },
  publishToGo: { moduleName: 'github.com/cdk8s-mesh/cdk8s-mesh-go', packageName: 'cdk8smesh' },
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    coverageText: false,
    jestConfig: {
      // test/browser/ needs chromium: its own task (test:browser), not part of npm test
      testPathIgnorePatterns: ['/node_modules/', '/examples/', '/test/browser/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/', '/validators/'],
      // every object rendered without its L1's conversion is compared with the L1's rendering (src/private/l1.ts)
      setupFiles: ['<rootDir>/test/setup/unconverted.ts'],
    },
  },
  tsconfigDev: {
    compilerOptions: {},
    include: ['../src/**/*.ts', '../examples/**/*.ts', '../scripts/**/*.ts', '../bench/**/*.ts', '../conformance/**/*.ts'],
  },
});

// the Node versions the library and its CLI run on (README "Install")
project.package.addEngine('node', '>= 20');
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
project.tasks.addEnvironment('CDK8S_CHECK_UPGRADE', 'false');

// tests are type-checked (ts-jest runs isolatedModules)
project.testTask.prependExec('tsc -p test/tsconfig.json');

project.eslint?.addIgnorePattern('src/imports/');
// messages that name the construct, prop, value and fix are long strings: let them be
project.eslint?.addRules({
  '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: true }],
});
project.eslint?.addIgnorePattern('examples/dist/');

// the layers of src/ (docs/architecture.md) as import/no-restricted-paths zones (projenrc/layers.ts): no file imports
// a layer above its own, no mesh folder imports another (the mesh folders are read from src/meshes/, so a new one is
// fenced as soon as this file runs), a pattern reaches the meshes only through src/patterns/renderers.ts, and no
// import cycle between files. test/layers.test.ts runs the same rules on test/fixtures/layers/ (a cycle, an upward
// import, a mesh importing another, a mesh folder named nowhere here) to prove they fail, and checks that
// .eslintrc.json has the zones of today's src/meshes/.
const LAYER_ZONES = layerZones(__dirname);
project.eslint?.addRules({
  'import/no-restricted-paths': ['error', { zones: LAYER_ZONES }],
  'import/no-cycle': ['error', { ignoreExternal: true }],
});
project.eslint?.addIgnorePattern('test/fixtures/layers/');
// one error helper: src/ throws meshError(...) (src/private/errors.ts), never a raw `new Error`
project.eslint?.addOverride({
  files: ['src/**/*.ts'],
  excludedFiles: ['src/imports/**', 'src/private/errors.ts'],
  rules: {
    'no-restricted-syntax': ['error', {
      selector: "ThrowStatement > NewExpression[callee.name='Error']",
      message: 'throw meshError(...) from src/private/errors.ts: the message names the construct path, the prop, the value and the fix',
    }],
  },
});

// L1 bindings and schemas, generated from the pinned CRDs (default ../shared/crds, override with CRDS_DIR)
project.addTask('import', {
  description: 'Regenerate src/imports/ and schemas/ from the pinned CRDs (CRDS_DIR overrides ../shared/crds)',
  exec: 'ts-node --project test/tsconfig.json scripts/import-crds.ts',
});

// the structural validators of the pinned schemas, precompiled by every build (ajv standalone code) into validators/
// (not committed; in the npm package): `cdk8s-mesh validate` and the synthesis-time check load them instead of
// compiling the schemas on every run (test/analysis/precompiled-validators.test.ts)
const validators = project.addTask('validators', {
  description: 'Precompile the validators of the pinned schemas (schemas/) into validators/',
  exec: 'ts-node --project test/tsconfig.json scripts/validators.ts',
});
project.preCompileTask.spawn(validators);
project.gitignore.addPatterns('/validators/');

project.addTask('findings-doc', {
  description: 'Regenerate docs/findings.md from the analyzer rules and their examples',
  exec: 'ts-node --project test/tsconfig.json scripts/findings-doc.ts',
});

project.addTask('bench', {
  description: 'Benchmark synthesis, validation and analysis against raw cdk8s (writes bench/RESULTS.md)',
  steps: [
    { spawn: 'compile' },
    { exec: 'node --expose-gc -r ts-node/register/transpile-only bench/run.ts', env: { TS_NODE_PROJECT: 'test/tsconfig.json' } } as any,
  ],
});
project.package.setScript('bench', 'npx projen bench');

// the graph page in headless Chromium (Debian's chromium package, /usr/bin/chromium or CHROMIUM=...), driven by
// playwright-core: screenshots in test-reports/browser/
project.addTask('test:browser', {
  description: 'Test the graph page (cdk8s-mesh graph) in headless Chromium; needs the chromium package',
  steps: [{ exec: 'jest --testPathIgnorePatterns /node_modules/ --coverage=false --maxWorkers=1 test/browser' }],
});

// the main job: synthesize the shop example for every mesh and validate the output with the CLI
project.addTask('examples', {
  description: 'Synthesize examples/shop for istio (sidecar and ambient), linkerd and consul into examples/dist/ and validate the output',
  steps: [
    { exec: 'ts-node --project test/tsconfig.json examples/shop/main.ts' },
    { exec: 'ts-node --project test/tsconfig.json src/cli/main.ts validate examples/dist' },
    { exec: 'ts-node --project test/tsconfig.json src/cli/main.ts lint examples/dist/istio' },
    { exec: 'ts-node --project test/tsconfig.json src/cli/main.ts lint examples/dist/istio-ambient' },
    { exec: 'ts-node --project test/tsconfig.json src/cli/main.ts lint examples/dist/linkerd' },
    { exec: 'ts-node --project test/tsconfig.json src/cli/main.ts lint examples/dist/consul' },
    // each cluster's output is linted on its own: the files of two clusters (or meshes) are not one cluster
    ...['istio', 'linkerd', 'consul'].flatMap(mesh => ['us-west', 'eu-west'].map(cluster => ({
      exec: `ts-node --project test/tsconfig.json src/cli/main.ts lint examples/dist/multicluster/${mesh}/${cluster}.yaml`,
    }))),
  ],
});

// conformance: the output checked by the meshes' own code (Go programs in conformance/, docs/conformance.md).
// Its own command and CI step: npm ci && npm test never need Go.
project.addTask('conformance', {
  description: 'Check the example output and the validator corpus with the Kubernetes API server\'s CRD validation and istioctl (needs Go)',
  steps: [
    { exec: 'ts-node --project test/tsconfig.json examples/shop/main.ts' },
    { exec: 'ts-node --project test/tsconfig.json conformance/run.ts' },
  ],
});
project.eslint?.addLintPattern('conformance');
// what the layer rules do not see -- cycles through `import type`, layers and mesh folders reached through a chain
// of files -- is checked on the import graph, with lint too. Added in preSynthesize, after every addLintPattern
// (the .projenrc.ts component adds its own then), since each one rebuilds the eslint task.
new (class extends Component {
  public preSynthesize() {
    project.eslint?.eslintTask.exec('jest --coverage=false --maxWorkers=1 test/import-graph.test.ts');
  }
})(project);

// API.md holds the library's own API; the generated L1 submodules (istio, linkerd, consul, gatewayApi, smi,
// prometheus: 2 MB of CRD bindings) get one page each in docs/api/ (scripts/api-docs.ts, jsii-docgen's
// split-by-submodule layout). Runs after every compile (post-compile spawns docgen).
project.tasks.tryFind('docgen')!.reset('ts-node --project test/tsconfig.json scripts/api-docs.ts');
project.annotateGenerated('/docs/api/*.md');

// every @example docstring and README snippet compiles (fixture: rosetta/default.ts-fixture), so Construct
// Hub shows each language's snippet; needs the .jsii assembly (compile first)
project.addTask('rosetta:extract', {
  description: 'Compile every @example and README snippet with jsii-rosetta (strict) and translate them',
  exec: 'jsii-rosetta extract --strict',
});
project.gitignore.addPatterns('.jsii.tabl.json');
// the Go module: jsii-pacmak's Go code, built against cdk8s's Go binding generated from the same npm cdk8s
// (the Go module proxy refuses cdk8s-core-go) and a jsii-runtime-go version it serves (scripts/package-go.sh)
project.tasks.tryFind('package:go')!.reset('bash scripts/package-go.sh');
// a Maven local repository in the project (.m2/, not committed) instead of a fresh one on every run, so that
// the jsii runtime and the cdk8s/constructs jars are downloaded once and examples/java reuses them
project.tasks.tryFind('package:java')!.reset('jsii-pacmak -v --target java --maven-local-repository .m2/repository');
project.gitignore.addPatterns('/.m2/');
project.npmignore?.addPatterns('/.m2/');

project.npmignore?.addPatterns('/rosetta/');

project.npmignore?.addPatterns('/examples/', '/scripts/', '/bench/', '/docs/', '/conformance/');
project.gitignore.addPatterns('/examples/dist/', '/examples/cdk8s.out/', '/conformance/.bin/');

project.synth();
