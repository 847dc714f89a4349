import { PAGE_CSS, PAGE_SCRIPT } from './page';
import { GraphEdge, GraphEgress, GraphIngress, GraphService, GraphSetting } from './types';

/** How a caller that is no service of the manifests is named. */
export function callerLabel(caller: string): string {
  if (caller.startsWith('ip:')) return `outside the mesh (${caller.slice(3)})`;
  const m = /^(?:peer:([^/]+)\/)?([^/]+)\/unnamed$/.exec(caller);
  if (m) return `${m[1] ? `peer ${m[1]}: ` : ''}${m[2] === '_other' ? 'any workload of another namespace' : `any other workload of ${m[2]}`}`;
  return caller;
}

/** The node an edge starts from: the caller's service, or the caller itself. */
/** What the drawings read of a graph (the `MeshGraph` of model.ts). */
interface DrawnGraph {
  readonly mesh: string;
  readonly ambient: boolean;
  readonly services: GraphService[];
  readonly settings: GraphSetting[];
  readonly ingress: GraphIngress[];
  readonly egress: GraphEgress[];
  allowedEdges(): GraphEdge[];
  toJson(): unknown;
}

function from(e: GraphEdge): string {
  return e.callerService ?? `caller:${e.caller}`;
}

interface Node {
  readonly id: string;
  readonly label: string;
  readonly ns: string;
  readonly kind: 'service' | 'caller' | 'gateway' | 'external';
  readonly detail?: string;
}

/** The nodes and edges the Mermaid and DOT outputs draw (the allowed calls, the entry points and the external hosts). */
function drawn(graph: DrawnGraph): { nodes: Node[]; edges: { from: string; to: string; label: string; style: 'allowed' | 'unenforced' | 'ingress' | 'egress' }[] } {
  const nodes = new Map<string, Node>();
  const versionOf = new Map(graph.services.filter(s => s.versionOf).map(s => [s.id, s.versionOf!]));
  const target = (id: string) => versionOf.get(id) ?? id;
  for (const s of graph.services) {
    if (s.versionOf) continue;
    const settings = graph.settings.filter(x => x.service === s.id).map(x => x.name);
    nodes.set(s.id, { id: s.id, label: s.name, ns: s.namespace, kind: 'service', detail: [s.versions.length > 1 ? s.versions.join(' ') : '', [...new Set(settings)].join(' ')].filter(Boolean).join(' | ') });
  }
  const edges: { from: string; to: string; label: string; style: 'allowed' | 'unenforced' | 'ingress' | 'egress' }[] = [];
  // the requests of every (caller node, service node) pair: several callers may be one node (a service's identities)
  const allowed = graph.allowedEdges();
  const requestsOf = new Map<string, Set<string>>();
  for (const x of allowed) {
    const key = `${x.callerService ? target(x.callerService) : from(x)} ${target(x.service)}`;
    if (!requestsOf.has(key)) requestsOf.set(key, new Set());
    for (const r of x.allowed) requestsOf.get(key)!.add(r);
  }
  const seen = new Set<string>();
  for (const e of allowed) {
    const f = e.callerService ? target(e.callerService) : from(e);
    if (!e.callerService && !nodes.has(f)) {
      const first = e.caller.startsWith('ip:') ? '' : e.caller.replace(/^peer:[^/]+\//, '').split('/')[0];
      const ns = first === '_other' ? '' : first;
      nodes.set(f, { id: f, label: callerLabel(e.caller).replace(`${ns}/`, ''), ns, kind: 'caller' });
    }
    const to = target(e.service);
    const key = `${f} ${to}`;
    if (seen.has(key) || f === to) continue;
    seen.add(key);
    edges.push({ from: f, to, label: [...requestsOf.get(key)!].join(', '), style: e.enforced ? 'allowed' : 'unenforced' });
  }
  for (const i of graph.ingress) {
    const id = `gateway:${i.gateway}`;
    if (!nodes.has(id)) nodes.set(id, { id, label: `${i.gateway.split('/')[1]} (${i.hosts.join(', ') || 'any host'})`, ns: i.gateway.split('/')[0], kind: 'gateway' });
    edges.push({ from: id, to: target(i.service), label: i.match, style: 'ingress' });
  }
  for (const x of graph.egress) {
    const id = `external:${x.host}`;
    if (!nodes.has(id)) nodes.set(id, { id, label: `${x.host} ${x.ports.join(' ')}`.trim(), ns: '', kind: 'external' });
    const callers = x.callers.length ? x.callers.map(target) : [`namespace:${x.namespace}`];
    for (const c of callers) {
      if (!nodes.has(c)) nodes.set(c, { id: c, label: c.startsWith('namespace:') ? `any workload of ${x.namespace}` : c, ns: x.namespace, kind: 'caller' });
      edges.push({ from: c, to: id, label: '', style: 'egress' });
    }
  }
  for (const e of edges) {
    if (!nodes.has(e.to)) nodes.set(e.to, { id: e.to, label: e.to, ns: e.to.split('/')[0], kind: 'service' });
  }
  const sorted = [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { nodes: sorted, edges };
}


function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\|/g, '#124;');
}

/**
 * The allowed calls, entry points and external hosts as a Mermaid flowchart, services grouped by
 * namespace (subgraphs).
 */
export function renderMermaid(graph: DrawnGraph): string {
  const { nodes, edges } = drawn(graph);
  // short ids in the order of the sorted nodes (and ns0, ns1... for the namespaces)
  const ids = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const mermaidId = (id: string) => ids.get(id) ?? id;
  const out = ['flowchart LR', `  %% cdk8s-mesh graph: mesh ${graph.mesh}${graph.ambient ? ' (ambient)' : ''}; allowed calls (-->; -.-> NOT ENFORCED when no proxy enforces the policies), ingress routes (==>) and egress (-.->)`];
  const shape = (n: Node) => {
    const text = n.detail ? `${mermaidText(n.label)}<br/><small>${mermaidText(n.detail)}</small>` : mermaidText(n.label);
    if (n.kind === 'gateway') return `${mermaidId(n.id)}{{"${text}"}}`;
    if (n.kind === 'external') return `${mermaidId(n.id)}[("${text}")]`;
    if (n.kind === 'caller') return `${mermaidId(n.id)}(["${text}"])`;
    return `${mermaidId(n.id)}["${text}"]`;
  };
  const namespaces = [...new Set(nodes.map(n => n.ns))].sort();
  for (const ns of namespaces) {
    const inNs = nodes.filter(n => n.ns === ns);
    if (ns) out.push(`  subgraph ns${namespaces.indexOf(ns)}["${mermaidText(ns)}"]`);
    for (const n of inNs) out.push(`${ns ? '    ' : '  '}${shape(n)}`);
    if (ns) out.push('  end');
  }
  // an allowed call that nothing enforces is dotted like an egress edge: its label says so, and it is red
  // (linkStyle by the edge's index), so that a reader never takes it for an enforced allow
  const unenforced: number[] = [];
  edges.forEach((e, i) => {
    const arrow = e.style === 'ingress' ? '==>' : e.style === 'egress' ? '-.->' : e.style === 'unenforced' ? '-.->' : '-->';
    const label = e.style === 'unenforced' ? `NOT ENFORCED: ${e.label}` : e.label;
    if (e.style === 'unenforced') unenforced.push(i);
    out.push(`  ${mermaidId(e.from)} ${arrow}${label ? `|"${mermaidText(label)}"|` : ''} ${mermaidId(e.to)}`);
  });
  if (unenforced.length) out.push(`  linkStyle ${unenforced.join(',')} stroke:#d93025,color:#d93025`);
  out.push('  classDef gateway fill:#e8f0fe,stroke:#1a73e8', '  classDef external fill:#fef7e0,stroke:#b06000', '  classDef caller fill:#f1f3f4,stroke:#5f6368,stroke-dasharray: 3 3');
  for (const kind of ['gateway', 'external', 'caller']) {
    const ofKind = nodes.filter(n => n.kind === kind).map(n => mermaidId(n.id));
    if (ofKind.length) out.push(`  class ${ofKind.join(',')} ${kind}`);
  }
  return out.join('\n') + '\n';
}

function dotText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** The allowed calls, entry points and external hosts as Graphviz DOT, a cluster per namespace. */
export function renderDot(graph: DrawnGraph): string {
  const { nodes, edges } = drawn(graph);
  const out = ['digraph mesh {', `  label="cdk8s-mesh graph: mesh ${graph.mesh}${graph.ambient ? ' (ambient)' : ''}"; labelloc=t; rankdir=LR; fontname="Helvetica";`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9];'];
  const attrs = (n: Node) => {
    const label = n.detail ? `${n.label}\\n${dotText(n.detail)}` : n.label;
    const style = n.kind === 'gateway' ? ', shape=hexagon, fillcolor="#e8f0fe"' : n.kind === 'external' ? ', shape=cylinder, fillcolor="#fef7e0"' : n.kind === 'caller' ? ', style="rounded,dashed"' : '';
    return `"${dotText(n.id)}" [label="${n.detail ? `${dotText(n.label)}\\n${dotText(n.detail)}` : dotText(label)}"${style}];`;
  };
  const namespaces = [...new Set(nodes.map(n => n.ns))].sort();
  namespaces.forEach((ns, i) => {
    const inNs = nodes.filter(n => n.ns === ns);
    if (ns) out.push(`  subgraph cluster_${i} {`, `    label="${dotText(ns)}"; style="rounded"; color="#9aa0a6";`);
    for (const n of inNs) out.push(`${ns ? '    ' : '  '}${attrs(n)}`);
    if (ns) out.push('  }');
  });
  for (const e of edges) {
    const style = e.style === 'ingress' ? ', color="#1a73e8", penwidth=2' : e.style === 'egress' ? ', color="#b06000", style=dashed' : e.style === 'unenforced' ? ', color="#d93025", style=dotted' : '';
    out.push(`  "${dotText(e.from)}" -> "${dotText(e.to)}" [label="${dotText(e.style === 'unenforced' ? `NOT ENFORCED: ${e.label}` : e.label)}"${style}];`);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

/** Options of the HTML page. */
export interface HtmlOptions {
  /** The page's title. */
  readonly title?: string;
}

/**
 * A self-contained HTML page (inline script and style, no network access) that draws the graph on
 * demand: services grouped by namespace, filters by namespace and service, search, a legend, the
 * denied-by-default calls on demand, and each service's routes and settings on a click.
 */
export function renderHtml(graph: DrawnGraph, options: HtmlOptions = {}): string {
  const title = options.title ?? 'cdk8s-mesh graph';
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  // the data as JSON in a script element: `</` and the line separators JSON allows but scripts do not are escaped
  const data = JSON.stringify(graph.toJson()).replace(/<\//g, '<\\/').replace(/<!--/g, '<\\!--').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
  <h1>${esc(title)}</h1>
  <div class="controls">
    <label>namespace <select id="ns"><option value="">all</option></select></label>
    <label>service <input id="search" type="search" placeholder="search services, callers, hosts" autocomplete="off"></label>
    <label><input id="denied" type="checkbox"> denied-by-default calls</label>
    <label><input id="edges" type="checkbox" checked> ingress and egress</label>
    <span id="summary"></span>
  </div>
</header>
<main>
  <div id="canvas"><div id="notice"></div><svg id="svg" xmlns="http://www.w3.org/2000/svg"></svg></div>
  <aside id="side">
    <section id="legend"></section>
    <section id="details"><p class="hint">Click a service, a caller or an edge for its routes, settings and decisions.</p></section>
  </aside>
</main>
<script type="application/json" id="graph-data">${data}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
