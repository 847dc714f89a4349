/** Formats a path as `spec.http[0].route`. */
export function formatPath(p: (string | number)[]): string {
  let out = '';
  for (const seg of p) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/**
 * A path as a chain from the leaf, made into a list only for a finding (the walks of the validator pass many
 * values and find few issues). The root link may hold a whole starting path (`key` a list).
 */
export interface PathLink {
  readonly parent: PathLink | undefined;
  readonly key: string | number | (string | number)[];
}

/** The path of `link` as a list, root first, with `last` after it when given. */
export function pathOf(link: PathLink | undefined, last?: number): (string | number)[] {
  const keys: (string | number | (string | number)[])[] = [];
  for (let l = link; l; l = l.parent) keys.push(l.key);
  const out: (string | number)[] = [];
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i];
    if (Array.isArray(k)) out.push(...k);
    else out.push(k);
  }
  if (last !== undefined) out.push(last);
  return out;
}
