import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { ManifestValidator, MeshAnalyzer, ReachabilityMatrix, ValidationCodes } from '../../src';

const FIXTURE = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'valid', 'istio.yaml'), 'utf8');

/** Every reader of YAML this package ships. */
const READERS: [string, (text: string) => unknown][] = [
  ['validator', t => ManifestValidator.validateYaml(t)],
  ['analyzer', t => MeshAnalyzer.analyzeYaml(t)],
  ['reachability', t => ReachabilityMatrix.fromYaml(t).table()],
];

describe.each(READERS)('%s: malformed input gives findings or a clean error, never a crash', (name, read) => {
  test('truncated documents (every cut of a valid file)', () => {
    for (let cut = 0; cut < FIXTURE.length; cut += 97) {
      expect(() => {
        try {
          read(FIXTURE.slice(0, cut));
        } catch (e) {
          if (name !== 'reachability' || e instanceof TypeError) throw e;
        }
      }).not.toThrow();
    }
  });

  test('binary data', () => {
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    expect(() => {
      try {
        read(binary);
      } catch (e) {
        if (name !== 'reachability' || e instanceof TypeError) throw e;
      }
    }).not.toThrow();
  });

  test('a key written twice is read with its last value, as kubectl reads it: no parse error, no crash', () => {
    const text = 'apiVersion: v1\nkind: A\nkind: B\n';
    if (name === 'reachability') {
      try {
        read(text);
      } catch (e) {
        expect(e).not.toBeInstanceOf(TypeError);
      }
      return;
    }
    const result = read(text) as { findings: { code: string }[] };
    expect(result.findings.map(f => f.code)).not.toContain(ValidationCodes.YAML_PARSE);
  });

  test('deeply nested documents (10,000 levels)', () => {
    const deep = 'a: '.concat('['.repeat(10000), ']'.repeat(10000), '\n');
    expect(() => {
      try {
        read(deep);
      } catch (e) {
        if (name !== 'reachability' || e instanceof TypeError) throw e;
      }
    }).not.toThrow();
  });

  test('a 477-byte alias bomb and a recursive alias are refused, not expanded', () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...'bcdefghi'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
      'apiVersion: networking.istio.io/v1', 'kind: DestinationRule', 'metadata: {name: x, namespace: shop}', 'spec: {host: x, exportTo: *i}', '',
    ].join('\n');
    for (const text of [bomb, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: &d {self: *d}\n']) {
      if (name === 'reachability') {
        expect(() => read(text)).toThrow(/the YAML is refused: document 0 (expands to more than 3 MiB|refers to itself)/);
      } else {
        const result = read(text) as { findings: { code: string; message: string }[] };
        expect(result.findings.map(f => f.code)).toEqual([ValidationCodes.YAML_PARSE]);
        expect(result.findings[0].message).toMatch(/^the YAML is refused: document 0 (expands to more than 3 MiB|refers to itself)/);
      }
    }
  });

  test('a document without aliases over 3 MiB as JSON is refused, its text the shortest such a document has', () => {
    // a flow mapping of three-character keys without values: 4 characters of text, 16 of JSON each (readers that skip
    // the size walk of short documents, the analyzer, still see this one: TREE_GROWTH in src/analysis/private/yaml.ts)
    const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const keys = (n: number) => Array.from({ length: n }, (_, i) => chars[i % 62] + chars[Math.floor(i / 62) % 62] + chars[Math.floor(i / 3844) % 62]);
    const doc = (n: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {${keys(n).join(',')}}\n`;
    const over = doc(210_000); // 210,000 x 16 > 3 MiB; the text is ~840 KB
    expect(over.length).toBeLessThan(900_000);
    const refused = /the YAML is refused: document 0 expands to more than 3 MiB/;
    if (name === 'reachability') {
      expect(() => read(over)).toThrow(refused);
      return;
    }
    const result = read(over) as { findings: { code: string; message: string }[] };
    expect(result.findings.map(f => f.code)).toEqual([ValidationCodes.YAML_PARSE]);
    expect(result.findings[0].message).toMatch(refused);
    // under the limit: read
    const under = read(doc(180_000)) as { findings: { code: string; message: string }[] };
    expect(under.findings.map(f => f.code)).not.toContain(ValidationCodes.YAML_PARSE);
  }, 60_000);

  test('arbitrary strings (fast-check)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), text => {
      try {
        read(text);
      } catch (e) {
        if (name !== 'reachability' || e instanceof TypeError) throw e;
      }
    }), { numRuns: 300 });
  });
});

describe('a 10 MB stream', () => {
  test('is validated and analyzed in bounded time and memory', () => {
    const copies = Math.ceil((10 * 1024 * 1024) / FIXTURE.length);
    const huge = Array.from({ length: copies }, (_, i) => FIXTURE.replace(/name: ([a-z-]+), namespace: shop/g, `name: $1-${i}, namespace: shop`)).join('---\n');
    expect(huge.length).toBeGreaterThan(10 * 1024 * 1024);
    const before = process.memoryUsage().heapUsed;
    const validated = ManifestValidator.validateYaml(huge);
    expect(validated.documents).toBe(copies * 10);
    expect(validated.valid).toBe(true);
    const analyzed = MeshAnalyzer.analyzeYaml(huge);
    expect(analyzed.documents).toBe(copies * 10);
    // findings are expected here (the copies conflict); the point is that it finishes, with bounded memory
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(1.5 * 1024 ** 3);
  }, 120_000);
});

describe('folders with symbolic link loops and broken links', () => {
  test('every reader of files skips them with a warning, and reads each file once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-mesh-links-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'istio.yaml'), FIXTURE);
    fs.symlinkSync('..', path.join(dir, 'sub', 'up'));
    fs.symlinkSync('loop.yaml', path.join(dir, 'loop.yaml'));
    fs.symlinkSync('istio.yaml', path.join(dir, 'again.yaml')); // the same file twice: read once
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(ManifestValidator.validateFiles([dir]).documents).toBe(10);
      expect(MeshAnalyzer.analyzeFiles([dir]).findings).toEqual([]);
      expect(ReachabilityMatrix.fromFiles([dir]).services().length).toBeGreaterThan(0);
      expect(stderr).toHaveBeenCalledWith(`cdk8s-mesh: warning: skipped ${path.join(dir, 'loop.yaml')}: a loop of symbolic links\n`);
    } finally {
      stderr.mockRestore();
    }
  });
});
