/**
 * vswitch-lab web UI: wires the graph, the panels, the event list and the live connection.
 * Talks to the server only (HTTP API + socket.io).
 */
import './style.css';
import { api, ApiFailure, setLabGeneration } from './api.js';
import { CapturePanel } from './capture-panel.js';
import { ContextMenu, placeMenuItems, type MenuItem, type PlaceHooks } from './context-menu.js';
import { ImpairmentsDialog } from './impairments-dialog.js';
import { installPanelSplitters } from './panel-sizes.js';
import { DetailsPane } from './details.js';
import { byId, h, optionsHtml, toast } from './dom.js';
import { EventList } from './event-list.js';
import { EventStore } from './event-store.js';
import { InspectPanel } from './inspect-panel.js';
import { connectLive } from './live.js';
import type { SingularElementArgument } from 'cytoscape';
import { buildGraph, type GraphEdgeData, type GraphNodeData } from './graph-model.js';
import type { ClockState, LiveUpdate, RuntimeChange, TopologyState, TraceEventJson } from './model.js';
import { eventIface, Player } from './player.js';
import { describeChange, RuntimeActions } from './runtime-actions.js';
import { SendPanel } from './send-panel.js';
import { SimulationControls } from './simulation-controls.js';
import { RefireList } from './refire-list.js';
import { PathOverlay } from './path-overlay.js';
import { StormBanner } from './storm-banner.js';
import { TopologyPanel } from './topology-panel.js';
import { LessonsPanel } from './lessons-panel.js';
import { LabIntro } from './lab-intro.js';
import { TopologyView } from './topology-view.js';

const store = new EventStore();
const stormBanner = new StormBanner();
const view = new TopologyView(byId('graph'), byId('legend'));
const list = new EventList(store);
const details = new DetailsPane(store);
const send = new SendPanel();
const actions = new RuntimeActions();
const inspect = new InspectPanel(actions);
// outside the graph's own element: cytoscape takes the pointer events inside it
const menu = new ContextMenu(byId('graph').parentElement!);
const capture = new CapturePanel();
installPanelSplitters(document.querySelector<HTMLElement>('main.layout')!);
const impairDialog = new ImpairmentsDialog((key, change) => actions.apply(key, change));
capture.onHere = (id) => view.markCapture(id);
const placeHooks: PlaceHooks = {
  impair: (iface, label, current) => impairDialog.open(iface, label, current),
  captureHere: (label, ifaces, elementId) => {
    showTab('capture');
    void capture.captureHere(label, ifaces, elementId);
  },
};
const topoPanel = new TopologyPanel();
const lessons = new LessonsPanel();
const intro = new LabIntro(byId('graph').parentElement!, () => showTab('lessons'));
lessons.onIntro = (l) => intro.show(l);
// a scenario's timeline entry: the interfaces it names, selected and flashed on the graph
lessons.onShow = (ifaces) => {
  const nodes = [...new Set(ifaces.map((i) => view.nodeOfIface(i)).filter((n): n is string => n !== undefined))];
  if (nodes.length === 0) return;
  view.select(nodes[0]!);
  const els = nodes.reduce((c, id) => c.union(view.cy.getElementById(id)), view.cy.collection());
  view.cy.animate({ center: { eles: els } }, { duration: 250 });
  els.forEach((el) => {
    if (!el.hasClass('source')) el.flashClass('source', 1500);
  });
};
const outcomes = byId('outcomes');
let topologyState: TopologyState | null = null;

byId('tab-send').append(send.root);
// every frame and ping sent from the page, to re-fire (kept across reloads)
const refire = new RefireList(api, store);
byId('tab-send').append(refire.root);
// the selected frame's path stays on the graph until cleared; a node click then shows what it did
const path = new PathOverlay(view, store, byId('graph').parentElement!);
refire.onPick = (ids) => path.show(ids);
byId('tab-inspect').append(inspect.root);
byId('tab-capture').append(capture.root);
byId('tab-topology').append(topoPanel.root);
byId('tab-lessons').append(lessons.root);
byId('events').append(list.root);
byId('details-host').append(details.root);

// --- tabs ----------------------------------------------------------------------------------
const tabs = ['send', 'inspect', 'capture', 'topology', 'lessons'] as const;
type Tab = (typeof tabs)[number];
let activeTab: Tab = 'send';
function showTab(t: Tab, focus = false): void {
  activeTab = t;
  for (const x of tabs) {
    const btn = byId(`tabbtn-${x}`);
    btn.setAttribute('aria-selected', String(x === t));
    btn.tabIndex = x === t ? 0 : -1;
    byId(`tab-${x}`).hidden = x !== t;
  }
  if (focus) byId(`tabbtn-${t}`).focus();
  if (t === 'capture') void capture.reload();
}
for (const [i, t] of tabs.entries()) {
  const btn = byId(`tabbtn-${t}`);
  btn.addEventListener('click', () => showTab(t));
  btn.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowRight') showTab(tabs[(i + 1) % tabs.length]!, true);
    else if (ev.key === 'ArrowLeft') showTab(tabs[(i + tabs.length - 1) % tabs.length]!, true);
  });
}

// --- outcomes (deliveries, drops) -------------------------------------------------------------
function outcome(e: TraceEventJson): void {
  const iface = eventIface(e);
  if (e.action === 'deliver') view.mark('deliver', iface, 'delivered');
  else view.mark('drop', iface, `${e.reason ?? 'dropped'}${e.rule ? ` (${e.rule})` : ''}`);
  const text = e.action === 'deliver' ? `✓ frame ${e.frameId} delivered to ${iface}` : `✕ frame ${e.frameId} dropped at ${iface}: ${e.reason ?? ''}${e.rule ? ` (${e.rule})` : ''}`;
  const li = h('li', { class: e.action === 'deliver' ? 'ok' : 'bad', 'data-seq': e.seq }, text);
  li.addEventListener('click', () => list.select(e.seq));
  outcomes.prepend(li);
  while (outcomes.childElementCount > 4) outcomes.lastElementChild?.remove();
}

// --- player --------------------------------------------------------------------------------
const player = new Player(store, view, {
  onCursor: (seq) => list.setCursor(seq),
  onState: () => renderPlayer(),
  onOutcome: outcome,
  accepts: (e) => list.accepts(e),
});
const playerInfo = byId('player-info');
function renderPlayer(): void {
  playerInfo.textContent = player.skipped ? `${player.skipped} events not animated (too many at once)` : '';
}
byId('to-live').addEventListener('click', () => {
  player.jumpToEnd();
  list.follow = true;
  player.play();
});
byId('clear-events').addEventListener('click', () => {
  store.clear();
  player.reset();
  view.clearMarks();
  outcomes.replaceChildren();
});
renderPlayer();

list.onSelect = (e) => {
  // simulation mode: the lab jumps to right after this event (the Inspect tab then shows that moment)
  sim.jumpTo(e.seq);
  if (e.frameId) path.show([e.frameId]);
  details.show(e);
  const node = view.nodeOfIface(eventIface(e));
  // flash the node, unless it is the marked source: flashing would take its mark away (flashClass removes the class)
  const el = node ? view.cy.getElementById(node) : null;
  if (el && !el.hasClass('source')) el.flashClass('source', 900);
};
details.onPick = (seq) => list.select(seq);

// --- graph interaction ---------------------------------------------------------------------
view.onSelect((sel) => {
  inspect.show(sel);
  if (activeTab === 'inspect' || !sel) return;
  const ifaces = sel.kind === 'node' ? (sel.data.ifaces ?? []) : sel.data.ifaces;
  if (activeTab === 'send' && ifaces.length) send.pickSource(ifaces);
  if (activeTab === 'capture' && ifaces.length) capture.choose(ifaces);
});
view.cy.on('tap', 'node', (ev) => {
  const oe = ev.originalEvent as MouseEvent | undefined;
  if (oe?.shiftKey && activeTab === 'send') send.pickDestination((ev.target.data('ifaces') as string[] | undefined) ?? []);
});
view.cy.on('dbltap', 'node', () => showTab('inspect'));

// --- runtime actions from the graph: context menu, drag a VM onto another host ---------------------
function menuItems(kind: 'node' | 'edge', data: GraphNodeData | GraphEdgeData): MenuItem[] {
  const t = topologyState?.topology;
  if (!t) return [];
  const items: MenuItem[] = [];
  const run = (change: RuntimeChange): void => {
    const key = change.kind === 'link' ? `link:${change.iface}` : change.kind === 'vnic-connect' ? `vnic:${change.iface}` : change.kind === 'migrate' ? `migrate:${change.vm}` : 'menu';
    void actions.apply(key, change).then((o) => toast(o.ok ? `✓ ${describeChange(change)}` : `✕ ${o.message}`, o.ok ? 'ok' : 'error'));
  };
  const linkOf = (iface: string) => t.links.find((l) => l.a === iface || l.b === iface);
  const cable = (iface: string, label = iface): void => {
    const l = linkOf(iface);
    if (l) items.push({ action: 'link', label: `${l.up ? 'Take link down' : 'Bring link up'}: ${label}`, run: () => run({ kind: 'link', iface, up: !l.up }) });
  };
  if (kind === 'edge') {
    const e = data as GraphEdgeData;
    if (e.kind === 'link') cable(e.ifaces[0]!, `${e.ifaces[0]} — ${e.ifaces[1]}`);
    if (e.kind === 'vnic') items.push({ action: 'vnic', label: `${e.up ? 'Disconnect' : 'Connect'} ${e.ifaces[0]}`, run: () => run({ kind: 'vnic-connect', iface: e.ifaces[0]!, connected: !e.up }) });
  } else {
    const n = data as GraphNodeData;
    if (n.kind === 'vmnic' || n.kind === 'pport' || n.kind === 'phost') { for (const i of n.ifaces ?? []) cable(i); }
    if (n.kind === 'vm') {
      const vm = t.vms.find((v) => v.name === n.ref);
      for (const nic of vm?.nics ?? []) {
        const ref = `${vm!.name}:${nic.name}`;
        items.push({ action: 'vnic', label: `${nic.connected ? 'Disconnect' : 'Connect'} ${ref}`, run: () => run({ kind: 'vnic-connect', iface: ref, connected: !nic.connected }) });
      }
      for (const host of t.hosts) if (vm && host.name !== vm.host) items.push({ action: 'migrate', label: `Migrate to ${host.name}…`, run: () => confirmMigrate(vm.name, vm.host, host.name) });
    }
  }
  items.push(...placeMenuItems(kind, data, t, placeHooks));
  items.push({
    action: 'inspect',
    label: 'Inspect',
    run: () => {
      view.cy.getElementById(data.id).select();
      showTab('inspect');
    },
  });
  return items;
}
view.cy.on('cxttap', 'node, edge', (ev) => {
  const el = ev.target as SingularElementArgument;
  const data = el.data() as GraphNodeData | GraphEdgeData;
  const p = ev.renderedPosition ?? { x: 0, y: 0 };
  const g = byId('graph');
  menu.show(g.offsetLeft + p.x + 4, g.offsetTop + p.y + 4, data.kind === 'link' ? 'Link' : data.label.split('\n')[0] ?? data.id, menuItems(el.isNode() ? 'node' : 'edge', data));
});
view.cy.on('tap', () => menu.close());

const migrateDialog = byId<HTMLDialogElement>('migrate-dialog');
const migrateText = byId('migrate-text');
const migrateError = byId('migrate-error');
const migrateOk = byId<HTMLButtonElement>('migrate-confirm');
let pendingMigrate: { vm: string; toHost: string; back: () => void; drop?: { x: number; y: number } } | null = null;
/** Asks before a vMotion started on the graph (drag and drop, or the context menu). */
function confirmMigrate(vm: string, fromHost: string, toHost: string, drop?: { x: number; y: number }, back: () => void = () => undefined): void {
  pendingMigrate = { vm, toHost, back, ...(drop ? { drop } : {}) };
  migrateText.textContent = `Migrate ${vm} from ${fromHost} to ${toHost}? Its vNICs join the port groups of the same names there (E3); notify switches sends a RARP for each (T7).`;
  migrateError.textContent = '';
  migrateOk.disabled = false;
  migrateDialog.showModal();
  migrateOk.focus();
}
migrateOk.addEventListener('click', (ev) => {
  ev.preventDefault();
  const m = pendingMigrate;
  if (!m) return;
  if (m.drop) view.placeAt.set(`vm:${m.vm}`, m.drop);
  void actions.apply(actions.migrateKey(m.vm), { kind: 'migrate', vm: m.vm, toHost: m.toHost }, migrateOk).then((o) => {
    if (pendingMigrate !== m) return;
    if (o.ok) {
      pendingMigrate = null;
      migrateDialog.close('done');
      return;
    }
    // refused: the reason next to the action, the VM back where it was, nothing changed
    view.placeAt.delete(`vm:${m.vm}`);
    m.back();
    migrateError.textContent = o.message;
    migrateOk.disabled = true;
  });
});
/** Cancelled (button, Escape) or closed without success: the VM goes back where it was. */
function abandonMigrate(): void {
  const m = pendingMigrate;
  pendingMigrate = null;
  if (m) {
    view.placeAt.delete(`vm:${m.vm}`);
    m.back();
  }
}
// `cancel` and the button come before the dialog closes; `close` itself is dispatched later
migrateDialog.addEventListener('cancel', abandonMigrate);
byId('migrate-cancel').addEventListener('click', abandonMigrate);
migrateDialog.addEventListener('close', abandonMigrate);
view.onVmDrop((vm, toHost, drop, back) => {
  const from = topologyState?.topology.vms.find((v) => v.name === vm)?.host ?? '?';
  confirmMigrate(vm, from, toHost, drop, back);
});
send.onSource = (iface) => view.markSource(iface);
send.onSent = (r) => {
  store.markOwn(r.frameIds);
  store.add(r.events);
  renderClock(r.clock);
};
topoPanel.positions = () => view.positions();
topoPanel.onLoaded = (s) => applyTopology(s, 'own-load');

byId('fit').addEventListener('click', () => view.fit());
byId('zoom-in').addEventListener('click', () => view.zoomBy(1.25));
byId('zoom-out').addEventListener('click', () => view.zoomBy(0.8));
byId('relayout').addEventListener('click', () => topologyState && view.relayout(topologyState.topology, byId<HTMLSelectElement>('layout-mode').value === 'tidy' ? 'tidy' : 'force'));
byId('clear-marks').addEventListener('click', () => {
  view.clearMarks();
  outcomes.replaceChildren();
});
const legend = byId('legend');
byId('legend-toggle').addEventListener('click', (ev) => {
  legend.hidden = !legend.hidden;
  (ev.currentTarget as HTMLElement).setAttribute('aria-expanded', String(!legend.hidden));
});

// find a node by name (keyboard access to the graph)
const find = byId<HTMLInputElement>('find');
const findList = byId<HTMLDataListElement>('find-list');
/** the topology the Find box's suggestions were made for */
let findListFor: TopologyState | undefined;
/**
 * The Find box's suggestions, every object and interface of the topology once, made when the box
 * is used (thousands in a big lab: not on every load and runtime change).
 */
function fillFindList(): void {
  if (!topologyState || findListFor === topologyState) return;
  findListFor = topologyState;
  const names = new Set<string>();
  for (const n of buildGraph(topologyState.topology).nodes) {
    names.add(n.data.ref);
    for (const i of n.data.ifaces ?? []) names.add(i);
  }
  findList.innerHTML = optionsHtml([...names].map((v) => [v] as const));
}
find.addEventListener('focus', fillFindList);
find.addEventListener('input', fillFindList);
find.addEventListener('change', () => {
  const q = find.value.trim();
  const n = view.cy.nodes().filter((x) => x.data('ref') === q || x.data('label') === q || (x.data('ifaces') as string[] | undefined)?.includes(q) === true);
  if (n.empty()) {
    toast(`nothing named ${q}`, 'error');
    return;
  }
  const first = n.first();
  view.select(first.id());
  view.cy.animate({ center: { eles: first }, zoom: Math.max(view.cy.zoom(), 1) }, { duration: 250 });
  showTab('inspect');
});

// --- clock: realtime or simulation (one set of controls, simulation-controls.ts) ---------------
/** The lab went back in time: events after `seq` are undone, so are their marks. */
function rewindTo(seq: number): void {
  store.truncateAfter(seq);
  player.reset();
  player.jumpToEnd();
  view.clearMarks();
  outcomes.replaceChildren();
  inspect.refresh();
}
const sim = new SimulationControls({
  events: (events) => store.add(events),
  restored: rewindTo,
  // a hop's animation fits between two steps of Play (650 ms at 1x, player.ts); in real time the
  // animation keeps close behind the lab (4x)
  pace: (evps) => player.setSpeed(evps === null ? 4 : Math.max(1, evps * 0.7)),
});
byId('sim-host').replaceWith(sim.root);
let lastClock: ClockState | null = null;
function renderClock(c: ClockState): void {
  lastClock = c;
  sim.renderClock(c);
}

// --- topology ----------------------------------------------------------------------------------
/**
 * A topology state from the server. A new topology (another `generation`) starts afresh; the same
 * lab changed at run time (same generation, a later `revision`) is redrawn in place: nodes keep
 * their positions, the viewport, the selection and the event list stay.
 */
function applyTopology(s: TopologyState, from: 'server' | 'hello' | 'own-load' = 'server'): void {
  const prev = topologyState;
  // an older lab arriving late (this page's own load answered after another client's newer load
  // reached it over socket.io): the newer lab stays. Only a new connection's hello may go back
  // (a restarted server counts generations from 1 again).
  if (prev && s.generation < prev.generation && from !== 'hello') {
    if (from === 'own-load') toast(`${s.topology.name} was replaced at once: another client loaded ${prev.topology.name}`, 'info');
    return;
  }
  // the same lab: nothing new (or an older answer arriving late)
  if (prev && prev.generation === s.generation && s.revision <= prev.revision) return;
  const runtime = prev !== null && prev.generation === s.generation;
  topologyState = s;
  menu.close();
  view.show(s.topology, runtime);
  byId('topology-name').textContent = s.topology.name;
  document.title = `${s.topology.name} — vswitch-lab`;
  send.setTopology(s.topology);
  refire.setTopology(s);
  setLabGeneration(s.generation);
  inspect.setTopology(s.topology, runtime ? view.selection() : null);
  topoPanel.show(s);
  lessons.topologyChanged(s);
  if (!runtime) {
    // another lab: the previous one's results go, and a refresh scheduled for its counters would ask it for interfaces it no longer has
    send.resetResults();
    if (inspectTimer !== undefined) clearTimeout(inspectTimer);
    inspectTimer = undefined;
    store.clear();
    player.reset();
    outcomes.replaceChildren();
    actions.forget();
  }
  findListFor = undefined;
  void capture.reload();
  view.markSource(send.source || null);
}

// --- live ------------------------------------------------------------------------------------
const conn = byId('conn');
let inspectTimer: ReturnType<typeof setTimeout> | undefined;
function onUpdate(u: LiveUpdate): void {
  const changes = (u.state ?? []).filter((s) => s.kind === 'change');
  if (u.topology) applyTopology(u.topology);
  if (u.clock) renderClock(u.clock);
  stormBanner.update(u);
  // the lab went back in time (simulation mode): forget the undone events before adding new ones
  for (const s of u.state ?? []) if (s.kind === 'restored' && typeof s.traceSeq === 'number') rewindTo(s.traceSeq);
  // (a change's new topology came in the same batch and was drawn above)
  for (const s of u.state ?? []) {
    if (s.kind === 'scenario') lessons.scenarioProgress(s.scenario);
    if (s.kind === 'ping' && typeof s.from === 'string' && typeof s.to === 'string') {
      send.pingFinished({ from: s.from, to: s.to, result: s.result });
      const r = s.result as { transmitted?: unknown; received?: unknown } | undefined;
      if (typeof r?.transmitted === 'number' && typeof r.received === 'number') refire.pingFinished(s.from, s.to, { transmitted: r.transmitted, received: r.received });
    }
  }
  for (const s of changes) {
    const c = s.change as RuntimeChange | undefined;
    if (!c || actions.isOwn(c)) continue;
    const rarps = typeof s.rarps === 'number' && s.rarps > 0 ? ` · ${s.rarps} RARP${s.rarps === 1 ? '' : 's'} (T7)` : '';
    toast(`Lab changed: ${describeChange(c)}${rarps}`, 'info');
  }
  // this page's own frames (its sends, its pings'): the server never summarises them
  if (u.own) store.markOwn(u.own);
  if (u.trace) {
    store.add(u.trace);
    const last = u.trace[u.trace.length - 1];
    if (last && lastClock && last.time > lastClock.now) renderClock({ ...lastClock, now: last.time });
  }
  if (u.summary) {
    store.omitted += u.summary.omitted;
    const drops = Object.entries(u.summary.dropsByReason);
    if (drops.length) byId('player-info').textContent = `heavy traffic: ${u.summary.omitted} events summarised; drops ${drops.map(([r, n]) => `${r} ×${n}`).join(', ')}`;
  }
  if (u.dropped) store.omitted += u.dropped;
  if (u.counters !== undefined && activeTab === 'inspect' && inspectTimer === undefined) {
    inspectTimer = setTimeout(() => {
      inspectTimer = undefined;
      inspect.refresh();
    }, 1000);
  }
}
connectLive({
  hello: (hello) => {
    applyTopology(hello.topology, 'hello');
    renderClock(hello.clock);
  },
  update: onUpdate,
  status: (s, detail) => {
    conn.textContent = s === 'live' ? '● live' : s === 'connecting' ? '○ connecting' : `○ offline${detail ? ` (${detail})` : ''}`;
    conn.className = `conn ${s}`;
  },
});

// first paint without waiting for the socket
api.topology().then(applyTopology, (err: unknown) => {
  if (!(err instanceof ApiFailure && err.status === 409)) toast(`topology: ${err instanceof Error ? err.message : String(err)}`, 'error');
});
api.clock().then(renderClock, () => undefined);
void topoPanel.loadExamples();

// --- drag and drop a topology file anywhere -----------------------------------------------------
const dropHint = byId('drop-hint');
let dragDepth = 0;
document.addEventListener('dragenter', (ev) => {
  if (!ev.dataTransfer?.types.includes('Files')) return;
  dragDepth++;
  dropHint.hidden = false;
});
document.addEventListener('dragleave', () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) dropHint.hidden = true;
});
document.addEventListener('dragover', (ev) => {
  if (ev.dataTransfer?.types.includes('Files')) ev.preventDefault();
});
document.addEventListener('drop', (ev) => {
  const f = ev.dataTransfer?.files[0];
  dragDepth = 0;
  dropHint.hidden = true;
  if (!f) return;
  ev.preventDefault();
  showTab('topology');
  void topoPanel.openFile(f);
});

// --- keyboard ----------------------------------------------------------------------------------
const help = byId<HTMLDialogElement>('help');
byId('help-button').addEventListener('click', () => help.showModal());
document.addEventListener('keydown', (ev) => {
  const t = ev.target as HTMLElement;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (t.closest('input, textarea, select, [contenteditable]') || help.open || migrateDialog.open) return;
  const k = ev.key;
  const shortcuts: Record<string, () => void> = {
    f: () => view.fit(),
    '+': () => view.zoomBy(1.25),
    '=': () => view.zoomBy(1.25),
    '-': () => view.zoomBy(0.8),
    ' ': () => sim.togglePlay(),
    '.': () => sim.step(),
    n: () => sim.step(),
    b: () => sim.back(),
    '/': () => byId('event-filter').focus(),
    g: () => {
      find.focus();
      find.select();
    },
    e: () => byId('event-viewport').focus(),
    '1': () => showTab('send', true),
    '2': () => showTab('inspect', true),
    '3': () => showTab('capture', true),
    '4': () => showTab('topology', true),
    '5': () => showTab('lessons', true),
    '?': () => help.showModal(),
  };
  // arrow keys pan the graph when nothing else takes them (a list, a tab bar, a form)
  const pan: Record<string, [number, number]> = { ArrowLeft: [80, 0], ArrowRight: [-80, 0], ArrowUp: [0, 80], ArrowDown: [0, -80] };
  if (pan[k] && (t === document.body || t.closest('#graph') !== null)) {
    ev.preventDefault();
    view.cy.panBy({ x: pan[k][0], y: pan[k][1] });
    return;
  }
  const fn = shortcuts[k];
  if (!fn) return;
  if (k === ' ' && t.closest('button')) return;
  ev.preventDefault();
  fn();
});

showTab('send');

/** Handles for debugging from the console and for the end-to-end tests. */
(window as unknown as { vswitchLab: unknown }).vswitchLab = { cy: view.cy, view, store, list, player, sim, refire, path };
