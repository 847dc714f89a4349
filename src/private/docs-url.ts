/**
 * Where the documentation is read: the package ships no docs/ folder, so messages link to the
 * repository's pages (the `repositoryUrl` of .projenrc.ts).
 */
export const DOCS_BASE_URL = 'https://github.com/cdk8s-mesh/cdk8s-mesh/blob/main/docs';

/** The URL of a docs page (e.g. `enrolment.md`), with an optional anchor. */
export function docsUrl(page: string, anchor?: string): string {
  return `${DOCS_BASE_URL}/${page}${anchor ? `#${anchor}` : ''}`;
}

/** The URL of a finding code's entry in findings.md (analyzer rules have a section each; validator codes share one). */
export function findingUrl(code: string): string {
  return /^[A-Z]\d{3}$/.test(code) ? docsUrl('findings.md', code.toLowerCase()) : docsUrl('findings.md', 'validator-codes');
}
