/**
 * The style and script of the graph page (inline: the page opens with no network access). The script is
 * plain ES2017 for the browser, written without template literals so that it can live in this string.
 */
export const PAGE_CSS = String.raw`
*{box-sizing:border-box}
body{margin:0;font:13px/1.4 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#202124;background:#fafafa;height:100vh;display:flex;flex-direction:column}
header{padding:8px 14px;border-bottom:1px solid #dadce0;background:#fff}
h1{font-size:15px;margin:0 0 6px 0;font-weight:600}
.controls{display:flex;flex-wrap:wrap;gap:14px;align-items:center}
.controls input[type=search]{width:240px;padding:3px 6px}
#summary{color:#5f6368;margin-left:auto}
main{flex:1;display:flex;min-height:0}
#canvas{flex:1;overflow:auto;position:relative;background:#fff}
#notice{padding:6px 14px;color:#5f6368;background:#fff8e1;border-bottom:1px solid #f0e0a0}
#notice:empty{display:none}
aside{width:380px;border-left:1px solid #dadce0;overflow:auto;padding:10px 12px;background:#fff}
aside h2{font-size:14px;margin:10px 0 4px}
aside h3{font-size:12px;margin:10px 0 3px;color:#3c4043;text-transform:uppercase;letter-spacing:.04em}
aside table{border-collapse:collapse;width:100%;font-size:12px}
aside td,aside th{border-bottom:1px solid #eee;padding:2px 4px;text-align:left;vertical-align:top}
.hint{color:#5f6368}
.legend{display:grid;grid-template-columns:34px 1fr;gap:3px 8px;align-items:center;font-size:12px}
.sw{width:30px;height:14px;border-radius:4px;border:1.5px solid #5f6368;background:#fff}
.sw.caller{border-style:dashed;background:#f1f3f4}.sw.gateway{border-color:#1a73e8;background:#e8f0fe}.sw.external{border-color:#b06000;background:#fef7e0}
.ln{height:0;width:30px;border-top:2px solid #3c4043}.ln.unenforced{border-top:2px dotted #d93025}.ln.denied{border-top:2px dashed #d93025}
.ln.ingress{border-top:3px solid #1a73e8}.ln.egress{border-top:2px dashed #b06000}
svg text{font-family:inherit}
g.node{cursor:pointer}
g.node rect{fill:#fff;stroke:#5f6368;stroke-width:1.3}
g.node.caller rect{fill:#f1f3f4;stroke-dasharray:4 3}
g.node.gateway rect{fill:#e8f0fe;stroke:#1a73e8}
g.node.external rect{fill:#fef7e0;stroke:#b06000}
g.node.namespace rect{fill:#f8f9fa;stroke:#9aa0a6}
g.node.selected rect{stroke:#e37400;stroke-width:3}
g.node.dim{opacity:.25}
g.node .name{font-weight:600;font-size:12px}
g.node .sub{font-size:10.5px;fill:#5f6368}
path.edge{fill:none;stroke:#3c4043;stroke-width:1.4;cursor:pointer}
path.edge.unenforced{stroke:#d93025;stroke-dasharray:2 3}
path.edge.denied{stroke:#d93025;stroke-dasharray:6 4;stroke-width:1}
path.edge.ingress{stroke:#1a73e8;stroke-width:2.4}
path.edge.egress{stroke:#b06000;stroke-dasharray:5 4}
path.edge.dim{opacity:.12}
path.edge.hot{stroke-width:3}
path.hit{fill:none;stroke:transparent;stroke-width:10;cursor:pointer}
text.elabel{font-size:10px;fill:#3c4043;paint-order:stroke;stroke:#fff;stroke-width:3px}
rect.lane{fill:#f8f9fa;stroke:#e0e0e0}
text.lane{font-size:12px;font-weight:600;fill:#5f6368}
`;

export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var G = JSON.parse(document.getElementById('graph-data').textContent);
  var LIMIT = 400, CAP = 150;
  var W = 190, H = 58, COL = 100, GAP = 22, PAD = 30, SVG = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  var versionOf = {};
  G.services.forEach(function (s) { if (s.versionOf) versionOf[s.id] = s.versionOf; });
  function target(id) { return versionOf[id] || id; }
  function callerLabel(c) {
    if (c.indexOf('ip:') === 0) return 'outside the mesh';
    var m = /^(?:peer:([^/]+)\/)?([^/]+)\/unnamed$/.exec(c);
    if (m) return (m[1] ? 'peer ' + m[1] + ': ' : '') + (m[2] === '_other' ? 'any workload of another namespace' : 'any other workload');
    return c.split('/').slice(-1)[0];
  }
  function callerNs(c) { var ns = c.indexOf('ip:') === 0 ? '' : c.replace(/^peer:[^/]+\//, '').split('/')[0]; return ns === '_other' ? '' : ns; }

  // ---- the whole graph: nodes and edges, built once
  var nodes = {}, edges = {}, byService = {};
  function node(id, kind, ns, label, sub) {
    if (!nodes[id]) nodes[id] = { id: id, kind: kind, ns: ns, label: label, sub: sub || '', refs: [] };
    return nodes[id];
  }
  function edge(from, to, kind, label, ref) {
    var id = kind + '|' + from + '|' + to;
    var e = edges[id] || (edges[id] = { id: id, from: from, to: to, kind: kind, labels: [], refs: [] });
    if (label && e.labels.indexOf(label) < 0) e.labels.push(label);
    if (ref) e.refs.push(ref);
    return e;
  }
  G.routes.forEach(function (r) { (byService[r.service] = byService[r.service] || { routes: [], settings: [] }).routes.push(r); });
  G.settings.forEach(function (s) { (byService[s.service] = byService[s.service] || { routes: [], settings: [] }).settings.push(s); });
  G.services.forEach(function (s) {
    if (s.versionOf) return;
    var info = byService[s.id] || { routes: [], settings: [] };
    var weights = [];
    info.routes.forEach(function (r) { r.backends.forEach(function (b) { if (b.weight !== undefined && b.version) weights.push(b.version + ' ' + b.weight + '%'); }); });
    var badges = [];
    var timeout = info.routes.filter(function (r) { return r.timeout; }).map(function (r) { return r.timeout; });
    if (timeout.length) badges.push('timeout ' + unique(timeout).join('/'));
    if (info.routes.some(function (r) { return r.retries && r.retries !== 'none'; }) || info.settings.some(function (x) { return x.name === 'retries'; })) badges.push('retries');
    if (info.settings.some(function (x) { return x.name === 'circuitBreaker'; })) badges.push('CB');
    if (info.settings.some(function (x) { return x.name === 'connectionPool'; })) badges.push('pool');
    if (info.settings.some(function (x) { return x.name === 'rateLimit'; })) badges.push('rate');
    if (info.routes.some(function (r) { return r.mirror; })) badges.push('mirror');
    if (info.routes.some(function (r) { return r.fault; })) badges.push('fault');
    if (info.routes.some(function (r) { return r.headers.length; })) badges.push('headers');
    var versions = unique(weights).join(' · ') || (s.versions.length ? s.versions.join(' ') : '');
    var n = node(s.id, 'service', s.namespace, s.name, versions);
    n.badges = badges.join(' · ');
    n.service = s;
  });
  G.edges.forEach(function (e) {
    var from = e.callerService ? target(e.callerService) : 'caller:' + e.caller;
    if (!e.callerService) node(from, 'caller', callerNs(e.caller), callerLabel(e.caller), e.caller.indexOf('/unnamed') > 0 ? '' : e.caller);
    var to = target(e.service);
    if (!nodes[to]) node(to, 'service', to.split('/')[0], to.split('/')[1], '');
    if (from === to && e.allowed.length) return;
    if (e.allowed.length) edge(from, to, e.enforced ? 'allowed' : 'unenforced', e.allowed.join(', '), e);
    else edge(from, to, 'denied', '', e);
  });
  G.ingress.forEach(function (i) {
    var id = 'gateway:' + i.gateway;
    node(id, 'gateway', i.gateway.split('/')[0], i.gateway.split('/')[1], i.hosts.join(', ')).refs.push(i);
    var to = target(i.service);
    if (!nodes[to]) node(to, 'service', to.split('/')[0], to.split('/')[1], '');
    edge(id, to, 'ingress', i.match, i);
  });
  G.egress.forEach(function (x) {
    var id = 'external:' + x.host;
    node(id, 'external', '', x.host, x.ports.join(' ')).refs.push(x);
    var callers = x.callers.length ? x.callers.map(target) : ['namespace:' + x.namespace];
    callers.forEach(function (c) {
      if (!nodes[c]) node(c, 'caller', x.namespace, c.indexOf('namespace:') === 0 ? 'any workload' : c, '');
      edge(c, id, 'egress', '', x);
    });
  });
  var allNodes = Object.keys(nodes).sort().map(function (k) { return nodes[k]; });
  var allEdges = Object.keys(edges).sort().map(function (k) { return edges[k]; });
  var namespaces = unique(allNodes.map(function (n) { return n.ns; }).filter(Boolean)).sort();
  namespaces.forEach(function (ns) { var o = document.createElement('option'); o.value = ns; o.textContent = ns; $('ns').appendChild(o); });
  var outEdges = {}, inEdges = {};
  allEdges.forEach(function (e) { (outEdges[e.from] = outEdges[e.from] || []).push(e); (inEdges[e.to] = inEdges[e.to] || []).push(e); });

  function unique(a) { var seen = {}; return a.filter(function (x) { if (seen[x]) return false; seen[x] = true; return true; }); }
  function el(name, attrs, parent) {
    var x = document.createElementNS(SVG, name);
    for (var k in attrs) x.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(x);
    return x;
  }
  function text(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }

  // ---- what to draw now
  var selected = null;
  function edgeShown(e, state) {
    if (e.kind === 'denied') return state.denied;
    if (e.kind === 'ingress' || e.kind === 'egress') return state.io;
    return true;
  }
  function visible(state) {
    var q = state.q.toLowerCase();
    var keep = {};
    var match = function (n) { return n.id.toLowerCase().indexOf(q) >= 0 || n.label.toLowerCase().indexOf(q) >= 0 || n.sub.toLowerCase().indexOf(q) >= 0; };
    allNodes.forEach(function (n) {
      if (state.ns && n.ns !== state.ns) return;
      if (q && !match(n)) return;
      keep[n.id] = 'core';
    });
    // more services than can be drawn in one namespace (or search): the first CAP of them, in order
    var core = Object.keys(keep).sort(function (a, b) {
      var x = nodes[a].kind === 'service' ? 0 : 1, y = nodes[b].kind === 'service' ? 0 : 1;
      return x - y || (a < b ? -1 : a > b ? 1 : 0);
    });
    var total = core.length;
    if (state.cap && total > CAP) { core.slice(CAP).forEach(function (id) { delete keep[id]; }); }
    var es = allEdges.filter(function (e) { return edgeShown(e, state) && (keep[e.from] === 'core' || keep[e.to] === 'core'); });
    es.forEach(function (e) { if (!keep[e.from]) keep[e.from] = 'near'; if (!keep[e.to]) keep[e.to] = 'near'; });
    // a caller, gateway or host without an edge drawn is not drawn
    var ends = {};
    es.forEach(function (e) { ends[e.from] = true; ends[e.to] = true; });
    var ns = allNodes.filter(function (n) { return keep[n.id] && (n.kind === 'service' || ends[n.id]); });
    return { nodes: ns, edges: es, total: total, capped: !!state.cap && total > CAP };
  }

  // ---- layout: a lane per namespace, a column per call depth (longest path, cycles broken)
  function layout(v) {
    var ids = {}; v.nodes.forEach(function (n) { ids[n.id] = n; });
    var out = {}; v.edges.forEach(function (e) { (out[e.from] = out[e.from] || []).push(e.to); });
    var state = {}, order = [], back = {};
    v.nodes.forEach(function (n) {
      if (state[n.id]) return;
      var stack = [[n.id, 0]]; state[n.id] = 1;
      while (stack.length) {
        var top = stack[stack.length - 1], next = (out[top[0]] || [])[top[1]++];
        if (next === undefined) { state[top[0]] = 2; order.push(top[0]); stack.pop(); continue; }
        if (!ids[next]) continue;
        if (state[next] === 1) { back[top[0] + '|' + next] = true; continue; }
        if (!state[next]) { state[next] = 1; stack.push([next, 0]); }
      }
    });
    var rank = {};
    order.reverse().forEach(function (id) {
      if (rank[id] === undefined) rank[id] = ids[id].kind === 'gateway' || ids[id].kind === 'caller' ? 0 : 0;
      (out[id] || []).forEach(function (t) { if (ids[t] && !back[id + '|' + t]) rank[t] = Math.max(rank[t] || 0, rank[id] + 1); });
    });
    var maxRank = 0; v.nodes.forEach(function (n) { maxRank = Math.max(maxRank, rank[n.id] || 0); });
    v.nodes.forEach(function (n) { if (n.kind === 'external') rank[n.id] = maxRank; });
    var lanes = unique(v.nodes.map(function (n) { return n.ns; })).sort(function (a, b) { return a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0; });
    var pos = {}, y = 10, laneBoxes = [], width = 0;
    var kindOrder = { gateway: 0, caller: 1, service: 2, external: 3 };
    lanes.forEach(function (ns) {
      var cols = {};
      v.nodes.filter(function (n) { return n.ns === ns; }).forEach(function (n) { (cols[rank[n.id] || 0] = cols[rank[n.id] || 0] || []).push(n); });
      var rows = 0;
      Object.keys(cols).map(Number).sort(function (a, b) { return a - b; }).forEach(function (c) {
        // order by the mean row of the callers already placed (fewer crossings), then by kind and name
        var bary = function (n) {
          var rs = v.edges.filter(function (e) { return e.to === n.id && pos[e.from]; }).map(function (e) { return pos[e.from].row; });
          return rs.length ? rs.reduce(function (a, b) { return a + b; }, 0) / rs.length : 1e9;
        };
        cols[c].sort(function (a, b) { return bary(a) - bary(b) || kindOrder[a.kind] - kindOrder[b.kind] || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0); });
        cols[c].forEach(function (n, i) { pos[n.id] = { x: 20 + c * (W + COL), y: y + PAD + i * (H + GAP), row: i }; width = Math.max(width, 20 + c * (W + COL) + W + 20); });
        rows = Math.max(rows, cols[c].length);
      });
      var h = PAD + rows * (H + GAP) + 4;
      laneBoxes.push({ ns: ns, y: y, h: h });
      y += h + 14;
    });
    return { pos: pos, lanes: laneBoxes, width: Math.max(width, 400), height: y + 10 };
  }

  function draw() {
    var state = { ns: $('ns').value, q: $('search').value.trim(), denied: $('denied').checked, io: $('edges').checked };
    var svg = $('svg');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var v = visible(state);
    // too many to draw: one box per namespace when there are several and none is picked; else the first CAP
    if (v.nodes.length > LIMIT && !state.ns && !state.q && namespaces.length > 1) return overview(svg, state, v);
    if (v.nodes.length > LIMIT) { state.cap = true; v = visible(state); }
    var services = v.nodes.filter(function (n) { return n.kind === 'service'; }).length;
    $('notice').textContent = !v.nodes.length ? 'Nothing matches the filters.'
      : v.capped ? 'Drawn: the first ' + CAP + ' of ' + v.total + ' matching nodes (services first, by name), with their callers and callees. Search or pick a namespace to narrow.' : '';
    var L = layout(v);
    svg.setAttribute('width', L.width); svg.setAttribute('height', L.height);
    svg.setAttribute('viewBox', '0 0 ' + L.width + ' ' + L.height);
    var defs = el('defs', {}, svg);
    [['allowed', '#3c4043'], ['unenforced', '#d93025'], ['denied', '#d93025'], ['ingress', '#1a73e8'], ['egress', '#b06000']].forEach(function (m) {
      var mk = el('marker', { id: 'arrow-' + m[0], viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
      el('path', { d: 'M0,0 L10,5 L0,10 z', fill: m[1] }, mk);
    });
    L.lanes.forEach(function (l) {
      el('rect', { class: 'lane', x: 6, y: l.y, width: L.width - 12, height: l.h, rx: 8 }, svg);
      el('text', { class: 'lane', x: 16, y: l.y + 17 }, svg).textContent = l.ns ? 'namespace ' + l.ns : 'outside the namespaces';
    });
    var edgeLayer = el('g', { id: 'edges' }, svg), nodeLayer = el('g', { id: 'nodes' }, svg), labelLayer = el('g', { id: 'labels' }, svg);
    var labels = v.edges.length <= 80;
    v.edges.forEach(function (e) {
      var a = L.pos[e.from], b = L.pos[e.to];
      if (!a || !b) return;
      var d;
      if (b.x > a.x + W + COL) {
        // over more than one column: along the gap above the higher of the two rows, not across the boxes between
        var ch = Math.min(a.y, b.y) - GAP / 2, sx1 = a.x + W, sy1 = a.y + H / 2, ex = b.x, ey = b.y + H / 2, q1 = sx1 + COL / 2, q2 = ex - COL / 2;
        d = 'M' + sx1 + ',' + sy1 + ' C' + q1 + ',' + sy1 + ' ' + q1 + ',' + ch + ' ' + (sx1 + COL) + ',' + ch + ' L' + (ex - COL) + ',' + ch + ' C' + q2 + ',' + ch + ' ' + q2 + ',' + ey + ' ' + ex + ',' + ey;
      } else if (b.x > a.x) {
        var x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
        d = 'M' + x1 + ',' + y1 + ' C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2;
      } else {
        // a call back to a column at or before the caller's: around, below the boxes
        var sx = a.x + W / 2, sy = a.y + H, tx = b.x + W / 2, ty = b.y + H, dy = Math.max(sy, ty) + 26;
        d = 'M' + sx + ',' + sy + ' C' + sx + ',' + dy + ' ' + tx + ',' + dy + ' ' + tx + ',' + ty;
      }
      var g = el('g', { class: 'edge-group' }, edgeLayer);
      var p = el('path', { class: 'edge ' + e.kind, d: d, 'marker-end': 'url(#arrow-' + e.kind + ')', 'data-from': e.from, 'data-to': e.to, 'data-kind': e.kind }, g);
      var hit = el('path', { class: 'hit', d: d }, g);
      var title = el('title', {}, g); title.textContent = edgeTitle(e);
      hit.addEventListener('click', function (ev) { ev.stopPropagation(); showEdge(e); });
      p.addEventListener('click', function (ev) { ev.stopPropagation(); showEdge(e); });
      if (labels && e.labels.length && e.kind !== 'denied') {
        var len = p.getTotalLength ? p.getTotalLength() : 0, mid = len ? p.getPointAtLength(len / 2) : { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
        el('text', { class: 'elabel', x: mid.x, y: mid.y - 4, 'text-anchor': 'middle' }, labelLayer).textContent = clip(e.labels.join(', '), 34);
      }
    });
    v.nodes.forEach(function (n) {
      var p = L.pos[n.id];
      var g = el('g', { class: 'node ' + n.kind + (selected === n.id ? ' selected' : ''), transform: 'translate(' + p.x + ',' + p.y + ')', 'data-id': n.id, 'data-kind': n.kind }, nodeLayer);
      el('rect', { width: W, height: H, rx: n.kind === 'external' ? 14 : 7 }, g);
      el('text', { class: 'name', x: 10, y: 18 }, g).textContent = clip((n.kind === 'gateway' ? 'gateway ' : '') + n.label, 30);
      if (n.sub) el('text', { class: 'sub', x: 10, y: 34 }, g).textContent = clip(n.sub, 36);
      if (n.badges) el('text', { class: 'sub', x: 10, y: n.sub ? 49 : 34 }, g).textContent = clip(n.badges, 38);
      var t = el('title', {}, g); t.textContent = n.id;
      g.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.id); });
    });
    highlight();
    var allowed = G.edges.filter(function (e) { return e.allowed.length; }).length;
    $('summary').textContent = 'mesh ' + G.mesh + (G.ambient ? ' (ambient)' : '') + ' · ' + G.services.filter(function (s) { return !s.versionOf; }).length + ' services · ' + allowed + ' allowed calls · ' + (G.edges.length - allowed) + ' denied · drawn: ' + services + ' services, ' + v.nodes.length + ' nodes, ' + v.edges.length + ' edges';
    window.meshGraphDrawn = { nodes: v.nodes.length, edges: v.edges.length, services: services, overview: false, capped: v.capped };
  }

  // ---- more than LIMIT nodes: one box per namespace, with the calls between namespaces; a click draws one
  function overview(svg, state, v) {
    var per = {}, between = {};
    v.nodes.forEach(function (n) { var k = n.ns || '(outside)'; per[k] = per[k] || { services: 0, nodes: 0 }; per[k].nodes++; if (n.kind === 'service') per[k].services++; });
    var nsOf = {}; v.nodes.forEach(function (n) { nsOf[n.id] = n.ns || '(outside)'; });
    v.edges.forEach(function (e) { var k = nsOf[e.from] + '|' + nsOf[e.to]; between[k] = (between[k] || 0) + 1; });
    var names = Object.keys(per).sort();
    var cols = Math.max(1, Math.ceil(Math.sqrt(names.length))), width = 40 + cols * (W + 60), pos = {};
    names.forEach(function (k, i) { pos[k] = { x: 20 + (i % cols) * (W + 60), y: 20 + Math.floor(i / cols) * (H + 50) }; });
    var height = 60 + Math.ceil(names.length / cols) * (H + 50);
    svg.setAttribute('width', width); svg.setAttribute('height', height); svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    Object.keys(between).forEach(function (k) {
      var ab = k.split('|'); if (ab[0] === ab[1]) return;
      var a = pos[ab[0]], b = pos[ab[1]];
      el('path', { class: 'edge allowed', d: 'M' + (a.x + W / 2) + ',' + (a.y + H / 2) + ' L' + (b.x + W / 2) + ',' + (b.y + H / 2), 'data-kind': 'namespace' }, svg);
    });
    names.forEach(function (k) {
      var g = el('g', { class: 'node namespace', transform: 'translate(' + pos[k].x + ',' + pos[k].y + ')', 'data-id': 'namespace:' + k, 'data-kind': 'namespace' }, svg);
      el('rect', { width: W, height: H, rx: 7 }, g);
      el('text', { class: 'name', x: 10, y: 18 }, g).textContent = clip(k, 30);
      el('text', { class: 'sub', x: 10, y: 34 }, g).textContent = per[k].services + ' services, ' + (between[k + '|' + k] || 0) + ' calls inside';
      g.addEventListener('click', function () { if (k !== '(outside)') { $('ns').value = k; draw(); } });
    });
    $('notice').textContent = v.nodes.length + ' nodes match: too many to draw at once. Pick a namespace (click one) or search for a service.';
    $('summary').textContent = 'mesh ' + G.mesh + ' · ' + G.services.length + ' services · overview of ' + names.length + ' namespaces';
    window.meshGraphDrawn = { nodes: names.length, edges: Object.keys(between).length, services: 0, overview: true };
  }

  function edgeTitle(e) {
    var f = nodes[e.from], t = nodes[e.to];
    return (f ? f.label : e.from) + ' -> ' + (t ? t.label : e.to) + ' (' + e.kind + ')' + (e.labels.length ? ': ' + e.labels.join(', ') : '');
  }
  function highlight() {
    var svg = $('svg');
    var near = {};
    if (selected) { near[selected] = true; allEdges.forEach(function (e) { if (e.from === selected) near[e.to] = true; if (e.to === selected) near[e.from] = true; }); }
    Array.prototype.forEach.call(svg.querySelectorAll('g.node'), function (g) {
      var id = g.getAttribute('data-id');
      g.classList.toggle('selected', id === selected);
      g.classList.toggle('dim', !!selected && !near[id]);
    });
    Array.prototype.forEach.call(svg.querySelectorAll('path.edge'), function (p) {
      var hot = selected && (p.getAttribute('data-from') === selected || p.getAttribute('data-to') === selected);
      p.classList.toggle('hot', !!hot);
      p.classList.toggle('dim', !!selected && !hot);
    });
  }
  function select(id) { selected = id; highlight(); showNode(nodes[id]); }

  function table(headers, rows) {
    if (!rows.length) return '<p class="hint">none</p>';
    return '<table><tr>' + headers.map(function (h) { return '<th>' + text(h) + '</th>'; }).join('') + '</tr>' +
      rows.map(function (r) { return '<tr>' + r.map(function (c) { return '<td>' + text(c === undefined ? '' : c) + '</td>'; }).join('') + '</tr>'; }).join('') + '</table>';
  }
  function calls(list, who) {
    return table([who, 'allowed', 'denied'], list.map(function (e) { return [e.callerService ? e.callerService + ' (' + e.caller + ')' : (who === 'caller' ? callerLabel(e.caller) + ' ' + e.caller : e.service), e.allowed.join(', '), e.denied.join(', ')]; }));
  }
  function showNode(n) {
    var h = '<h2>' + text(n.kind === 'service' ? n.id : n.kind + ' ' + (n.kind === 'caller' ? n.id.replace(/^caller:/, '') : n.id.replace(/^[a-z]+:/, ''))) + '</h2>';
    if (n.service) {
      var s = n.service, info = byService[s.id] || { routes: [], settings: [] };
      var versions = G.services.filter(function (x) { return x.versionOf === s.id; }).map(function (x) { return x.id; });
      h += '<p>versions: ' + text(s.versions.join(', ') || 'one') + (versions.length ? ' (Services ' + text(versions.join(', ')) + ')' : '') + '<br>workloads: ' + text(s.workloads.join(', ') || 'not among the manifests') + '<br>identities: ' + text(s.identities.join(', ') || '-') + '</p>';
      var routes = info.routes.concat(versions.reduce(function (a, v) { return a.concat((byService[v] || { routes: [] }).routes); }, []));
      h += '<h3>Routes</h3>' + table(['route', 'match', 'headers', 'to', 'timeout', 'retries', 'mirror / fault'], routes.map(function (r) {
        return [r.name, r.match, r.headers.join(', '), r.backends.map(function (b) { return b.service.split('/')[1] + (b.version ? ' ' + b.version : '') + (b.weight !== undefined ? ' ' + b.weight + '%' : ''); }).join(', '), r.timeout, r.retries, [r.mirror, r.fault].filter(Boolean).join('; ')];
      }));
      var settings = info.settings.concat(versions.reduce(function (a, v) { return a.concat((byService[v] || { settings: [] }).settings); }, []));
      h += '<h3>Resilience</h3>' + table(['setting', 'value', 'from'], settings.map(function (x) { return [x.name, x.value, x.source]; }));
      var ids = [s.id].concat(versions);
      h += '<h3>Called by</h3>' + calls(G.edges.filter(function (e) { return ids.indexOf(e.service) >= 0 && e.allowed.length; }), 'caller');
      h += '<h3>Denied callers</h3>' + calls(G.edges.filter(function (e) { return ids.indexOf(e.service) >= 0 && !e.allowed.length; }), 'caller');
      h += '<h3>Calls</h3>' + calls(G.edges.filter(function (e) { return e.callerService && target(e.callerService) === s.id && e.allowed.length; }), 'service');
      h += '<h3>Entry points</h3>' + table(['gateway', 'hosts', 'match'], G.ingress.filter(function (i) { return target(i.service) === s.id; }).map(function (i) { return [i.gateway, i.hosts.join(', '), i.match]; }));
    } else if (n.kind === 'caller') {
      var list = allEdges.filter(function (e) { return e.from === n.id; });
      h += '<h3>Calls</h3>' + table(['service', 'kind', 'requests'], list.map(function (e) { return [e.to, e.kind, e.labels.join(', ')]; }));
    } else if (n.kind === 'gateway') {
      h += '<p>hosts: ' + text(n.sub || 'any') + '</p><h3>Routes</h3>' + table(['match', 'service', 'from'], n.refs.map(function (i) { return [i.match, i.service, i.source]; }));
    } else if (n.kind === 'external') {
      h += '<h3>Allowed</h3>' + table(['namespace', 'ports', 'callers', 'from'], n.refs.map(function (x) { return [x.namespace, x.ports.join(', '), x.callers.join(', ') || 'any workload', x.source]; }));
      h += '<p>' + text(G.egressPolicies.join('; ') || 'no egress mode among the manifests') + '</p>';
    }
    $('details').innerHTML = h;
  }
  function showEdge(e) {
    var h = '<h2>' + text(edgeTitle(e)) + '</h2>';
    if (e.kind === 'ingress') h += table(['gateway', 'hosts', 'match', 'from'], e.refs.map(function (i) { return [i.gateway, i.hosts.join(', '), i.match, i.source]; }));
    else if (e.kind === 'egress') h += table(['host', 'ports', 'from'], e.refs.map(function (x) { return [x.host, x.ports.join(', '), x.source]; }));
    else {
      e.refs.forEach(function (r) {
        h += '<h3>' + text(r.caller + ' -> ' + r.service) + (r.enforced ? '' : ' (not enforced)') + '</h3>';
        var rows = r.allowed.map(function (q, i) { return ['allowed', q, r.reasons[i]]; }).concat(r.denied.map(function (q, i) { return ['denied', q, r.reasons[r.allowed.length + i]]; }));
        h += table(['', 'request', 'why'], rows);
      });
    }
    $('details').innerHTML = h;
  }

  function legend() {
    var items = [['sw', 'service (versions, weights; badges: timeout, retries, CB = circuit breaker, pool, rate limit, mirror, fault, headers)'], ['sw caller', 'caller that is no service here (a gateway\'s identity, any other workload, outside the mesh)'],
      ['sw gateway', 'ingress gateway'], ['sw external', 'external host (egress)'], ['ln', 'allowed call (label: requests)'], ['ln unenforced', 'allowed: nothing enforces the policies (no proxy)'],
      ['ln denied', 'denied by default (toggle above)'], ['ln ingress', 'ingress route'], ['ln egress', 'egress allowed']];
    $('legend').innerHTML = '<h3>Legend</h3><div class="legend">' + items.map(function (i) { return '<span class="' + i[0] + '"></span><span>' + text(i[1]) + '</span>'; }).join('') + '</div>' +
      '<p class="hint">' + text((G.egressPolicies.length ? 'egress: ' + G.egressPolicies.join('; ') : 'no egress mode among the manifests')) + '</p>';
  }

  var timer = null;
  $('search').addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(draw, 120); });
  ['ns', 'denied', 'edges'].forEach(function (id) { $(id).addEventListener('change', draw); });
  $('canvas').addEventListener('click', function () { selected = null; highlight(); });
  legend();
  draw();
})();
`;
