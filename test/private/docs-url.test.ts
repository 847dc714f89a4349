import * as fs from 'fs';
import * as path from 'path';
import { DOCS_BASE_URL, docsUrl, findingUrl } from '../../src/private/docs-url';

describe('private/docs-url', () => {
  test('a page, with or without an anchor', () => {
    expect(docsUrl('enrolment.md')).toBe(`${DOCS_BASE_URL}/enrolment.md`);
    expect(docsUrl('enrolment.md', 'istio')).toBe(`${DOCS_BASE_URL}/enrolment.md#istio`);
    expect(docsUrl('enrolment.md', '')).toBe(`${DOCS_BASE_URL}/enrolment.md`);
  });

  test('an analyzer code links to its own section; anything else to the validator codes', () => {
    expect(findingUrl('I105')).toBe(`${DOCS_BASE_URL}/findings.md#i105`);
    for (const code of ['schema', 'cel', 'I10', 'I1050', 'i105']) expect(findingUrl(code)).toBe(`${DOCS_BASE_URL}/findings.md#validator-codes`);
  });

  test('the base URL is the package\'s repository; every page src/ links to is in docs/', () => {
    const root = path.join(__dirname, '..', '..');
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(DOCS_BASE_URL).toBe(`${String(pkg.repository.url).replace(/\.git$/, '')}/blob/main/docs`);
    const pages = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, e.name);
        if (e.isDirectory() && e.name !== 'imports') walk(file);
        if (!e.isDirectory() && file.endsWith('.ts')) {
          for (const m of fs.readFileSync(file, 'utf8').matchAll(/docsUrl\('([^']+)'/g)) pages.add(m[1]);
        }
      }
    };
    walk(path.join(root, 'src'));
    expect(pages.size).toBeGreaterThan(1);
    for (const page of pages) expect(fs.existsSync(path.join(root, 'docs', page))).toBe(true);
    expect(fs.readFileSync(path.join(root, 'docs', 'findings.md'), 'utf8')).toMatch(/^## Validator codes$/m);
  });
});
