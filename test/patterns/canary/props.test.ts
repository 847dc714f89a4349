import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', '..', 'src');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The files of src/ that import (values or types) the given file. */
function importersOf(target: string): string[] {
  return sources(SRC).filter(file => ts.preProcessFile(fs.readFileSync(file, 'utf-8'), true, false).importedFiles
    .some(i => i.fileName.startsWith('.') && path.resolve(path.dirname(file), i.fileName) === target))
    .map(f => path.relative(SRC, f));
}

describe('the public types of CanaryRelease live in patterns/canary/props.ts', () => {
  test("only the entry point imports the construct's file: alerts, controllers, meshes and routing read props.ts (no type-only cycle)", () => {
    expect(importersOf(path.join(SRC, 'patterns', 'canary', 'canary-release'))).toEqual(['index.ts']);
  });

  test('props.ts imports no construct (it is a leaf a renderer may read)', () => {
    const imports = ts.preProcessFile(fs.readFileSync(path.join(SRC, 'patterns', 'canary', 'props.ts'), 'utf-8'), true, false).importedFiles.map(i => i.fileName);
    expect(imports.filter(i => i.startsWith('.'))).toEqual(['../../model/matches']);
  });
});
