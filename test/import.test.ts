import * as fs from 'fs';
import * as path from 'path';
import { crdsDirectory, generate, stripDescriptions } from '../scripts/import-crds';

const SCHEMAS = path.join(__dirname, '..', 'schemas');
const CRDS = crdsDirectory();

function committedSchemaFiles(dir = SCHEMAS, prefix = ''): string[] {
  return fs.readdirSync(dir).sort().flatMap(e => fs.statSync(path.join(dir, e)).isDirectory()
    ? committedSchemaFiles(path.join(dir, e), `${prefix}${e}/`) : [`${prefix}${e}`]);
}

// The pinned CRDs live beside the checkout (../shared/crds, or CRDS_DIR); CI has them.
(fs.existsSync(CRDS) ? describe : describe.skip)('the import task, on the pinned CRDs', () => {
  test('re-running it on unchanged CRDs reproduces the committed schemas byte for byte', () => {
    const { schemaFiles } = generate(CRDS);
    expect([...schemaFiles.keys()].sort()).toEqual(committedSchemaFiles());
    for (const [file, content] of schemaFiles) {
      expect({ file, content: fs.readFileSync(path.join(SCHEMAS, file), 'utf8') }).toEqual({ file, content });
    }
  });

  test('every imported module has its generated bindings', () => {
    const { modules } = generate(CRDS);
    for (const [module, crds] of modules) {
      expect(fs.existsSync(path.join(__dirname, '..', 'src', 'imports', `${module}.ts`))).toBe(true);
      for (const crd of crds) expect(crd.spec.versions).toHaveLength(1);
    }
  });
});

describe('stripDescriptions', () => {
  test('removes schema descriptions but keeps a property named "description"', () => {
    const schema = {
      description: 'top',
      type: 'object',
      properties: {
        description: { type: 'string', description: 'a field called description' },
        items: { type: 'array', items: { type: 'object', description: 'x', properties: { a: { type: 'string', description: 'y' } } } },
        either: { anyOf: [{ type: 'integer', description: 'z' }] },
      },
    };
    expect(stripDescriptions(schema)).toEqual({
      type: 'object',
      properties: {
        description: { type: 'string' },
        items: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
        either: { anyOf: [{ type: 'integer' }] },
      },
    });
  });
});
