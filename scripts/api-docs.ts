/**
 * Writes the API reference from the jsii assembly (.jsii, so compile first), split by submodule:
 * API.md holds the library's own API and links to one page per generated L1 submodule (istio, linkerd,
 * consul, gatewayApi, smi, prometheus) in docs/api/. The L1 bindings stay exported for escape hatches
 * (`import { istio } from 'cdk8s-mesh'`); they are 2 MB of generated types, which used to bury the patterns.
 * Same renderer and layout as `jsii-docgen --split-by-submodule`, with the submodule pages in a folder.
 * Usage: npx projen docgen
 */
import * as fs from 'fs';
import * as path from 'path';
import { Documentation, Language } from 'jsii-docgen';

const SUBMODULE_DIR = path.join('docs', 'api');

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const docs = await Documentation.forProject(root);
  const outDir = path.join(root, SUBMODULE_DIR);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const options = { language: Language.TYPESCRIPT };
  const names: string[] = [];
  for (const submodule of await docs.listSubmodules()) {
    const name = submodule.fqn.split('.').slice(1).join('.');
    names.push(name);
    const content = await docs.toMarkdown({
      ...options,
      submodule: submodule.fqn,
      allSubmodules: false,
      header: { title: `\`${name}\` Submodule`, id: submodule.fqn },
    });
    fs.writeFileSync(path.join(outDir, `${name}.md`), content.render());
  }
  let index = (await docs.toIndexMarkdown('md', options)).render();
  for (const name of names) {
    const link = `](./${name}.md)`;
    if (!index.includes(link)) throw new Error(`api-docs: the index has no link to submodule ${name}`);
    index = index.split(link).join(`](./${SUBMODULE_DIR}/${name}.md)`);
  }
  const intro = 'The following submodules are available:';
  if (!index.includes(intro)) throw new Error('api-docs: the index has no submodule list');
  index = index.replace(intro, 'The generated L1 bindings of the pinned CRDs, one submodule per mesh or API (escape hatches, e.g. ' +
    '`import { istio } from \'cdk8s-mesh\'`; see the README):');
  fs.writeFileSync(path.join(root, 'API.md'), index);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
