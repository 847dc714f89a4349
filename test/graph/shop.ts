import { Testing } from 'cdk8s';
import { Shop, SHOP_MESHES } from '../../examples/shop/main';

/** The shop's output for a mesh folder (as examples/dist/<folder>/ holds it), synthesized in process. */
export function shop(folder: string, props: { releaseStep?: number } = {}): any[] {
  const mesh = SHOP_MESHES.find(([f]) => f === folder)![1];
  return Testing.synth(new Shop(Testing.app(), 'shop', { mesh, ...props }));
}
