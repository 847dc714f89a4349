import * as fs from 'fs';
import * as path from 'path';

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));

describe('package.json', () => {
  test('declares the Node versions it runs on (node 20 and later)', () => {
    expect(pkg.engines).toEqual({ node: '>= 20' });
  });

  test('the engines field leaves @types/node where it was (not derived from the minimum Node version)', () => {
    expect(pkg.devDependencies['@types/node']).toBe('^26.6.6');
  });
});
