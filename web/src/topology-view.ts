/**
 * The topology graph: Cytoscape with compound nodes laid out by fcose, plus an overlay canvas on
 * which frames travel (tokens labelled with their tag stack) and drops / deliveries are marked.
 * The overlay follows pan and zoom; Cytoscape itself only re-renders when the graph changes, so
 * a busy lab costs one canvas redraw per animation frame, not a graph re-render.
 */
import cytoscape from 'cytoscape';
import type { Core, ElementDefinition, NodeSingular, StylesheetJson } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { buildGraph, layoutPositions, type GraphEdgeData, type GraphIndex, type GraphModel, type GraphNodeData } from './graph-model.js';
import type { TopologyDoc } from './model.js';
import { vlanColour, vlanLabel } from './vlan-colors.js';
import { h } from './dom.js';
import { tidyLayout } from './tidy-layout.js';
import { deferStyleCacheClears } from './style-cache-deferral.js';

cytoscape.use(fcose);

export type Selection = { kind: 'node'; data: GraphNodeData } | { kind: 'edge'; data: GraphEdgeData } | null;

interface Token {
  /** graph node ids of the way points */
  path: string[];
  label: string;
  colour: string;
  start: number;
  duration: number;
  onArrive: (() => void) | undefined;
}

export interface Mark {
  kind: 'drop' | 'deliver';
  nodeId: string;
  iface: string;
  text: string;
  at: number;
}

const MAX_TOKENS = 80;
const MAX_MARKS = 24;
const MARK_MS = 12_000;

const STYLE: StylesheetJson = [
  // 'background-image' as an empty list, not the default ['none']: with the default, cytoscape
  // 3.34's node drawing flips the node's "background loading" state twice per draw and restyles
  // the node, its host box and everything in it each time (every frame restyled a whole big lab)
  { selector: 'node', style: { 'font-family': 'system-ui, sans-serif', 'font-size': 11, 'text-wrap': 'wrap', 'min-zoomed-font-size': 4, 'background-image': [] as unknown as string } },
  {
    selector: 'node.host',
    style: {
      shape: 'round-rectangle',
      'background-color': '#f8f9fa',
      'border-color': '#868e96',
      'border-width': 2,
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-weight': 'bold',
      'font-size': 16,
      padding: '16px',
    },
  },
  {
    selector: 'node.vswitch',
    style: {
      shape: 'round-rectangle',
      'background-color': '#e7f5ff',
      'border-color': '#339af0',
      'border-width': 2,
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'font-size': 13,
      color: '#1864ab',
      padding: '12px',
    },
  },
  {
    selector: 'node.portgroup',
    style: {
      shape: 'round-rectangle',
      width: 132,
      height: 38,
      'background-color': 'data(colour)',
      color: '#fff',
      label: 'data(label)',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 12,
      'font-weight': 'bold',
      'text-max-width': '128px',
    },
  },
  { selector: 'node.portgroup.trunk', style: { 'border-width': 3, 'border-style': 'double', 'border-color': '#f8f9fa' } },
  {
    selector: 'node.vmnic',
    style: { shape: 'rectangle', width: 64, height: 26, 'background-color': '#495057', color: '#fff', label: 'data(label)', 'text-valign': 'center', 'font-size': 12, 'text-max-width': '62px' },
  },
  { selector: 'node.vmnic.unused', style: { 'background-color': '#ced4da', color: '#495057' } },
  {
    selector: 'node.vmk',
    style: {
      shape: 'ellipse',
      width: 62,
      height: 62,
      'background-color': '#fff',
      'border-color': '#495057',
      'border-width': 2,
      label: 'data(label)',
      'text-valign': 'center',
      'font-size': 11,
      'text-max-width': '60px',
    },
  },
  {
    selector: 'node.vm',
    style: {
      shape: 'round-rectangle',
      width: 118,
      height: 46,
      'background-color': '#fff',
      'border-color': '#212529',
      'border-width': 1.5,
      label: 'data(label)',
      'text-valign': 'center',
      'font-size': 12,
      'text-max-width': '114px',
    },
  },
  {
    selector: 'node.pswitch',
    style: {
      shape: 'round-rectangle',
      'background-color': '#fff4e6',
      'border-color': '#f08c00',
      'border-width': 2,
      label: 'data(label)',
      'text-valign': 'top',
      'font-weight': 'bold',
      'font-size': 15,
      padding: '12px',
    },
  },
  {
    selector: 'node.pport',
    style: {
      shape: 'rectangle',
      width: 78,
      height: 36,
      'background-color': '#ffd8a8',
      'border-color': '#e8590c',
      'border-width': 1,
      label: 'data(label)',
      'text-valign': 'center',
      'font-size': 11,
      'text-max-width': '76px',
    },
  },
  {
    selector: 'node.phost',
    style: {
      shape: 'round-rectangle',
      width: 118,
      height: 46,
      'background-color': '#e6fcf5',
      'border-color': '#0ca678',
      'border-width': 2,
      label: 'data(label)',
      'text-valign': 'center',
      'font-size': 12,
    },
  },
  {
    selector: 'edge',
    style: {
      width: 2,
      'curve-style': 'bezier',
      'line-color': '#868e96',
      label: 'data(label)',
      'font-size': 11,
      'text-background-color': '#fff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
    },
  },
  { selector: 'edge.vnic-edge, edge.vmk-edge', style: { 'line-color': 'data(colour)', width: 2.5 } },
  { selector: 'edge.link', style: { width: 3.5, 'line-color': '#343a40' } },
  { selector: 'edge.down', style: { 'line-color': '#e03131', 'line-style': 'dashed', 'line-dash-pattern': [8, 5], width: 3 } },
  { selector: 'node.delivered', style: { 'underlay-color': '#2f9e44', 'underlay-opacity': 0.45, 'underlay-padding': 8 } },
  { selector: 'node.dropped', style: { 'underlay-color': '#e03131', 'underlay-opacity': 0.45, 'underlay-padding': 8 } },
  { selector: 'node.source', style: { 'underlay-color': '#1c7ed6', 'underlay-opacity': 0.35, 'underlay-padding': 6 } },
  { selector: 'edge.link.impaired', style: { 'line-color': '#f08c00', 'line-style': 'dashed', 'line-dash-pattern': [2, 3], color: '#d9480f' } },
  { selector: 'node.capturing', style: { 'border-color': '#7048e8', 'border-width': 4, 'border-style': 'double' } },
  { selector: 'edge.capturing', style: { 'underlay-color': '#7048e8', 'underlay-opacity': 0.45, 'underlay-padding': 5 } },
  { selector: ':selected', style: { 'overlay-color': '#1c7ed6', 'overlay-opacity': 0.18, 'overlay-padding': 6 } },
  { selector: 'node.dim, edge.dim', style: { opacity: 0.25 } },
  { selector: 'node.host.drop-target', style: { 'border-color': '#1c7ed6', 'border-width': 4, 'background-color': '#e7f5ff' } },
];

/**
 * Labels are never drawn smaller than MIN_LABEL_PX on screen: in a small lab a label's size is at
 * least MIN_LABEL_PX / zoom (`labelFloor`, up to MAX_LABEL_FLOOR: at 1024x768 a fitted example is
 * drawn at ~0.6), so small labels grow as the view zooms out while titles that are big enough keep
 * their size; any label still smaller is not drawn (min-zoomed-font-size).
 */
export const MIN_LABEL_PX = 10;
const MAX_LABEL_FLOOR = 20;
for (const rule of STYLE) {
  const { selector, style: st } = rule as unknown as { selector: string; style: Record<string, unknown> };
  if (selector === 'node' || selector === 'edge') st['min-zoomed-font-size'] = MIN_LABEL_PX;
}

/**
 * The stylesheet with no label under `floor` (model units). Plain numbers, not style functions:
 * a function value is evaluated per element at every style pass, which costs seconds in a big lab.
 */
function styleWithFloor(floor: number): StylesheetJson {
  if (floor <= 0) return STYLE;
  return STYLE.map((rule) => {
    const { selector, style } = rule as unknown as { selector: string; style: Record<string, unknown> };
    const size = style['font-size'];
    return (typeof size === 'number' && size < floor ? { selector, style: { ...style, 'font-size': floor } } : rule);
  });
}

/**
 * Big labs: the stylesheet as styled (no label floor), with the thousands of vNIC and vmk edges
 * drawn as haystack lines (straight, no control points to compute) and no label backgrounds
 * (labels are not drawn at the zoom that fits a big lab anyway). Cables keep their look.
 */
const LARGE_STYLE: StylesheetJson = [
  ...STYLE,
  { selector: 'edge.vnic-edge, edge.vmk-edge', style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'text-background-opacity': 0 } },
  // the drawing order by z-index alone (boxes, then edges, then leaves): cytoscape's default order
  // by compound depth walks each element's ancestors at every comparison of the sort that every
  // first draw makes (a fifth of a big lab's first draw)
  { selector: 'node, edge', style: { 'z-compound-depth': 'orphan', 'z-index-compare': 'manual', 'z-index': 3 } },
  { selector: 'node.host, node.pswitch', style: { 'z-index': 0 } },
  { selector: 'node.vswitch', style: { 'z-index': 1 } },
  { selector: 'edge', style: { 'z-index': 2 } },
];

/** Replaces Math.random with a seeded generator while `fn` runs: fcose's layout becomes repeatable. */
function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  let s = seed >>> 0 || 1;
  Math.random = () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** Equal data values: primitives, or arrays of primitives (interface lists). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return false;
}

/** Lets the page handle input and timers before going on (scheduler.yield where Chromium has it). */
function yieldToPage(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (s?.yield) return s.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function hashString(text: string): number {
  let x = 2166136261;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 16777619);
  return x >>> 0;
}

export class TopologyView {
  readonly cy: Core;
  index: GraphIndex | null = null;
  private readonly overlay: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private tokens: Token[] = [];
  private marks: Mark[] = [];
  private raf = 0;
  /** the overlay shows something (tokens or marks) since its last clear */
  private overlayDrawn = false;
  private readonly legend: HTMLElement;
  private onSelectFn: (s: Selection) => void = () => undefined;
  private highlightTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private largeMode = false;
  private labelTimer = 0;
  /** fit animations under way (see `settled`) */
  private fitting = 0;
  /** smallest label size now (model units; 0: as styled) */
  private labelFloor = 0;
  /** redrawing: re-selecting what was selected tells nobody */
  private restoring = false;
  private dragStart: { id: string; x: number; y: number } | undefined;
  private onVmDropFn: (vm: string, toHost: string, drop: { x: number; y: number }, back: () => void) => void = () => undefined;
  /** nodes above this count: draft layout, no labels while panning */
  static readonly LARGE = 600;

  constructor(
    readonly container: HTMLElement,
    legendHost: HTMLElement,
  ) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    deferStyleCacheClears(this.cy);
    this.overlay = h('canvas', { class: 'overlay', 'aria-hidden': 'true' });
    container.append(this.overlay);
    this.ctx = this.overlay.getContext('2d')!;
    this.legend = legendHost;
    this.cy.on('select', 'node, edge', (e) => {
      if (this.restoring) return;
      const el = e.target as cytoscape.SingularElementArgument;
      if (el.isNode()) this.onSelectFn({ kind: 'node', data: el.data() as GraphNodeData });
      else this.onSelectFn({ kind: 'edge', data: el.data() as GraphEdgeData });
    });
    this.cy.on('unselect', () => {
      if (this.restoring) return;
      if (this.cy.$(':selected').empty()) this.onSelectFn(null);
    });
    this.cy.on('viewport resize render', () => this.requestDraw());
    this.cy.on('zoom', () => {
      if (this.largeMode || this.labelTimer !== 0) return;
      this.labelTimer = window.setTimeout(() => {
        this.labelTimer = 0;
        this.scaleLabels();
      }, 60);
    });
    // drag a VM onto another host's box: vMotion (asked for, confirmed and applied by main.ts)
    this.cy.on('grab', 'node.vm', (e) => {
      const n = e.target as NodeSingular;
      this.dragStart = { id: n.id(), x: n.position().x, y: n.position().y };
    });
    this.cy.on('drag', 'node.vm', (e) => {
      const n = e.target as NodeSingular;
      const target = this.hostUnder(n);
      this.cy.nodes('.drop-target').forEach((x) => {
        if (x.id() !== target?.id()) x.removeClass('drop-target');
      });
      target?.addClass('drop-target');
    });
    this.cy.on('dragfree', 'node.vm', (e) => {
      const n = e.target as NodeSingular;
      this.cy.nodes('.drop-target').removeClass('drop-target');
      const target = this.hostUnder(n);
      const start = this.dragStart?.id === n.id() ? this.dragStart : undefined;
      this.dragStart = undefined;
      if (!target) return;
      const drop = { ...n.position() };
      const back = (): void => {
        if (start) this.cy.getElementById(start.id).position({ x: start.x, y: start.y });
      };
      this.onVmDropFn(n.data('ref') as string, target.data('ref') as string, drop, back);
    });
    new ResizeObserver(() => {
      this.cy.resize();
      this.resizeOverlay();
    }).observe(container);
    this.resizeOverlay();
  }

  onSelect(fn: (s: Selection) => void): void {
    this.onSelectFn = fn;
  }

  /**
   * A VM was dropped inside another ESXi host's box: `back()` returns it to where the drag began
   * (cancelled or refused); on success the redraw puts it in the new host where it was dropped.
   */
  onVmDrop(fn: (vm: string, toHost: string, drop: { x: number; y: number }, back: () => void) => void): void {
    this.onVmDropFn = fn;
  }

  /** The host box (not the VM's own) under a VM's centre, if any. */
  private hostUnder(n: NodeSingular): NodeSingular | undefined {
    const own = n.parent().first().id();
    const p = n.position();
    let found: NodeSingular | undefined;
    this.cy.nodes('.host').forEach((hn) => {
      if (found || hn.id() === own) return;
      const bb = hn.boundingBox({ includeLabels: false });
      if (p.x >= bb.x1 && p.x <= bb.x2 && p.y >= bb.y1 && p.y <= bb.y2) found = hn;
    });
    return found;
  }

  /**
   * Draws a topology. A new topology (`runtime` false): positions from its `layout` block when it
   * places every leaf, else the positions drawn before when every leaf still exists, else the tidy
   * layout; the view fits it. The same lab after a
   * runtime change (`runtime` true): every node that still exists stays where it is drawn, the
   * viewport and the selection stay; a node that changed parent (a migrated VM, an uplink added to
   * a vSwitch) goes where it was dropped (`placeAt`) or next to its new siblings.
   */
  show(topology: TopologyDoc, runtime = false): void {
    const model = buildGraph(topology);
    const parents = new Set(model.nodes.map((n) => n.data.parent));
    const leaves = model.nodes.filter((n) => !parents.has(n.data.id)).length;
    const large = leaves > TopologyView.LARGE;
    // a lab turning big gets its stylesheet before its elements go in: a stylesheet set after
    // restyles every element (seconds for 2,000 nodes)
    if (large && !this.largeMode) {
      this.largeMode = true;
      this.scaleLabels(true);
    }
    // (a change arriving while a big lab is still being added: drawn anew, as a load)
    if (runtime && !this.drawing && this.cy.elements().nonempty()) this.patch(model, topology);
    else this.rebuild(model, topology);
    // performance knobs for big topologies: no edge drawing and a texture while the viewport moves
    // (init-time options of cytoscape's canvas renderer, read at every draw)
    const r = (this.cy as unknown as { renderer(): { hideEdgesOnViewport?: boolean; textureOnViewport?: boolean } | undefined }).renderer();
    if (r) {
      r.hideEdgesOnViewport = large;
      r.textureOnViewport = large;
    }
    // big labs: the outcome list below the graph keeps a fixed height (style.css), so the
    // graph is not resized, hence not redrawn whole, each time an outcome comes or goes
    this.container.parentElement?.classList.toggle('big-lab', large);
    // a big lab turning small: labels sized for its zoom again
    if (large !== this.largeMode) {
      this.largeMode = large;
      this.scaleLabels(true);
    }
    this.renderLegend(model.index.vlans);
    this.requestDraw();
  }

  /** A new topology: every element anew; positions as `show` says; the view fits it. */
  private rebuild(model: GraphModel, topology: TopologyDoc): void {
    const old = new Map<string, { x: number; y: number }>();
    this.cy.nodes().forEach((n) => {
      if (n.isChildless()) old.set(n.id(), { ...n.position() });
    });
    this.tokens = [];
    this.marks = [];
    this.placeAt.clear();
    const els: ElementDefinition[] = [];
    let positioned = 0;
    let leaves = 0;
    const compound = new Set(model.nodes.map((n) => n.data.parent).filter((p): p is string => p !== undefined));
    const fileComplete = model.nodes.every((n) => compound.has(n.data.id) || n.position !== undefined);
    const everyOld = !fileComplete && model.nodes.every((n) => compound.has(n.data.id) || old.has(n.data.id));
    // neither the file nor the drawing before places every leaf: the tidy layout, computed before
    // the elements are added (one pass of cytoscape's styles and bounds instead of one per move)
    const tidy = fileComplete || everyOld ? null : tidyLayout(topology);
    for (const n of model.nodes) {
      const el: ElementDefinition = { group: 'nodes', data: { ...n.data }, classes: n.classes };
      if (!compound.has(n.data.id)) {
        leaves++;
        // the file's positions when they place every leaf, else the positions drawn before
        // (a mix of the two overlaps), else the tidy layout
        const p = fileComplete ? n.position : everyOld ? old.get(n.data.id) : tidy!.get(n.data.id);
        if (p) {
          el.position = { x: p.x, y: p.y };
          positioned++;
        }
      }
      els.push(el);
    }
    for (const e of model.edges) els.push({ group: 'edges', data: { ...e.data }, classes: e.classes });
    // a big lab still being added from an earlier load: that run stops
    this.prepareRun++;
    this.releaseBatch();
    const large = leaves > TopologyView.LARGE;
    this.restoring = true;
    try {
      this.cy.batch(() => {
        this.cy.elements().remove();
        if (!large) this.cy.add(els);
      });
    } finally {
      this.restoring = false;
    }
    this.index = model.index;
    this.modelClasses = new Map([...model.nodes, ...model.edges].map((x) => [x.data.id, x.classes]));
    if (large) {
      this.fitFast(els.flatMap((e) => (e.position ? [e.position] : [])));
      void this.addInSlices(els);
    } else if (leaves > 0 && positioned === leaves) {
      // every leaf placed (a file saved by the UI, the same nodes as before, or the tidy layout): exactly there
      this.cy.fit(undefined, 30);
    } else {
      this.tidy(topology);
    }
  }

  /** a big lab's elements are being added and prepared for their first draw (`addInSlices`) */
  drawing = false;
  private prepareRun = 0;
  /** this view holds a cytoscape batch open (its render loop draws nothing meanwhile) */
  private holding = false;

  private holdBatch(): void {
    if (this.holding) return;
    this.holding = true;
    this.cy.startBatch();
  }

  private releaseBatch(): void {
    if (!this.holding) return;
    this.holding = false;
    this.cy.endBatch();
  }

  /**
   * A big lab's first draw without a long freeze: its elements are added, styled, measured
   * (labels) and bounded in slices of ~30 ms between which the page handles input, while
   * cytoscape draws nothing (a batch is held open between slices: its render loop skips frames);
   * the first draw then only sorts and paints. Done in one go, the same work froze the page for
   * ~1.8 s. `els`: parents before their children, edges last. A newer load ends this run.
   */
  private async addInSlices(els: ElementDefinition[]): Promise<void> {
    const run = this.prepareRun;
    const cy = this.cy;
    type Ele = cytoscape.SingularElementArgument;
    const styled = (e: Ele): void => void (e as unknown as { pstyle(name: string): unknown }).pstyle('display');
    const renderer = (cy as unknown as { renderer(): { flushRenderedStyleQueue?: () => void } | undefined }).renderer();
    this.drawing = true;
    this.holdBatch();
    try {
      // not in the task that took the topology (the other panels take it there too)
      await yieldToPage();
      if (run !== this.prepareRun) return;
      const added: Ele[] = [];
      let i = 0;
      while (i < els.length) {
        const t0 = performance.now();
        while (i < els.length && performance.now() - t0 < 30) {
          const part = els.slice(i, i + 50);
          i += part.length;
          this.restoring = true;
          let slice: cytoscape.CollectionReturnValue;
          try {
            slice = cy.add(part);
          } finally {
            this.restoring = false;
          }
          // their styles now (ending the batch marks them for restyling: then they are)
          this.releaseBatch();
          slice.forEach(styled);
          this.holdBatch();
          added.push(...slice.toArray());
        }
        await yieldToPage();
        if (run !== this.prepareRun) return;
      }
      // bounds: leaves and edges before the boxes around them, inner boxes before outer ones
      const depth = (e: Ele): number => (e.isNode() ? e.ancestors().length : 0);
      const leaves = added.filter((e) => e.isEdge() || e.isChildless());
      const boxes = added.filter((e) => e.isNode() && !e.isChildless()).sort((a, b) => depth(b) - depth(a));
      const bounded = [...leaves, ...boxes];
      i = 0;
      while (i < bounded.length) {
        const t0 = performance.now();
        while (i < bounded.length && performance.now() - t0 < 30) {
          const e = bounded[i++]!;
          if (!e.removed()) e.boundingBox();
        }
        await yieldToPage();
        if (run !== this.prepareRun) return;
      }
      // cytoscape's own queue of rendered styles (edges whose ends moved in) in a task of its
      // own, not in the first draw's
      renderer?.flushRenderedStyleQueue?.();
      await yieldToPage();
      if (run !== this.prepareRun) return;
    } finally {
      if (run === this.prepareRun) {
        this.releaseBatch();
        this.drawing = false;
      }
    }
  }

  /**
   * Fits a big lab from its leaves' positions and sizes alone: cytoscape's own fit measures every
   * label and compound box first (seconds for 2,000 nodes on a software-rendered page).
   */
  private fitFast(leaves?: ReadonlyArray<{ x: number; y: number }>): void {
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    const points = leaves ?? this.cy.nodes(':childless').map((n) => n.position());
    for (const p of points) {
      x1 = Math.min(x1, p.x - 70);
      x2 = Math.max(x2, p.x + 70);
      y1 = Math.min(y1, p.y - 40);
      y2 = Math.max(y2, p.y + 40);
    }
    if (!Number.isFinite(x1)) return;
    // room for the host and switch boxes around their leaves (padding and title)
    x1 -= 30;
    x2 += 30;
    y1 -= 50;
    y2 += 30;
    const w = this.container.clientWidth;
    const hgt = this.container.clientHeight;
    const pad = 30;
    const zoom = Math.max(this.cy.minZoom(), Math.min(this.cy.maxZoom(), Math.min((w - 2 * pad) / (x2 - x1), (hgt - 2 * pad) / (y2 - y1))));
    this.cy.viewport({ zoom, pan: { x: (w - zoom * (x1 + x2)) / 2, y: (hgt - zoom * (y1 + y2)) / 2 } });
  }

  /**
   * The same lab after a runtime change: only what differs is touched (a link's edge, a port
   * group's label and colour, a VM moved to another host), so a change costs the same in a
   * 2,000-node lab as in a small one. Nodes stay where they are; the viewport, the selection and
   * the drop/delivery marks stay. A node that changed parent goes where it was dropped
   * (`placeAt`) or next to its new siblings; a new leaf where the file places it, else there too.
   */
  private patch(model: GraphModel, topology: TopologyDoc): void {
    const cy = this.cy;
    const selected = cy.$(':selected').first();
    const selectedId = selected.nonempty() ? selected.id() : undefined;
    const wantNodes = new Map(model.nodes.map((n) => [n.data.id, n]));
    const wantEdges = new Map(model.edges.map((e) => [e.data.id, e]));
    const place: string[] = [];
    const hinted: Array<[string, { x: number; y: number }]> = [];
    this.restoring = true;
    try {
      cy.batch(() => {
        // edges that go, or whose ends changed
        cy.edges().forEach((e) => {
          const w = wantEdges.get(e.id());
          if (!w || w.data.source !== e.data('source') || w.data.target !== e.data('target')) e.remove();
        });
        // new nodes (parents come before their children in the model)
        for (const n of model.nodes) {
          if (cy.getElementById(n.data.id).nonempty()) continue;
          const el: ElementDefinition = { group: 'nodes', data: { ...n.data }, classes: n.classes };
          if (n.position) el.position = { ...n.position };
          else place.push(n.data.id);
          cy.add(el);
        }
        // nodes that changed parent (a migrated VM, an uplink added to a vSwitch)
        for (const n of model.nodes) {
          const el = cy.getElementById(n.data.id);
          const parent = el.isChild() ? el.parent().first().id() : undefined;
          if (parent === n.data.parent) continue;
          el.move({ parent: n.data.parent ?? null });
          const hint = this.placeAt.get(n.data.id);
          if (hint) hinted.push([n.data.id, hint]);
          else place.push(n.data.id);
        }
        // nodes that go (after the moves: a parent that goes no longer holds anyone who stays)
        cy.nodes().forEach((n) => {
          if (!wantNodes.has(n.id()) && n.inside()) n.remove();
        });
        // data and classes of what stays
        for (const x of [...model.nodes, ...model.edges]) {
          const el = cy.getElementById(x.data.id);
          if (el.empty()) {
            if (x.group === 'edges') cy.add({ group: 'edges', data: { ...x.data }, classes: x.classes });
            continue;
          }
          const now = el.data() as Record<string, unknown>;
          for (const [k, v] of Object.entries(x.data)) {
            if (k === 'id' || k === 'parent' || k === 'source' || k === 'target') continue;
            if (!sameValue(now[k], v)) el.data(k, v);
          }
          const was = this.modelClasses.get(x.data.id);
          if (was !== x.classes) {
            if (was) el.removeClass(was);
            el.addClass(x.classes);
          }
        }
      });
      this.placeAt.clear();
      this.index = model.index;
      this.modelClasses = new Map([...model.nodes, ...model.edges].map((x) => [x.data.id, x.classes]));
      for (const [id, p] of hinted) cy.getElementById(id).position(p);
      const leaves = place.filter((id) => cy.getElementById(id).isChildless());
      if (leaves.length > 0) this.placeBesideSiblings(leaves, topology);
      const sel = selectedId !== undefined ? cy.getElementById(selectedId) : undefined;
      if (sel?.nonempty() && !sel.selected()) sel.select();
      // the selected node went elsewhere (a VM migrated from the Inspect tab): follow it
      if (selectedId !== undefined && leaves.includes(selectedId)) this.reveal(selectedId);
    } finally {
      this.restoring = false;
    }
  }

  /** classes each element has from the model (the others are marks, source, drop target) */
  private modelClasses = new Map<string, string>();

  /** Pans to a node when it is not in view. */
  reveal(id: string): void {
    const n = this.cy.getElementById(id);
    if (n.empty()) return;
    const bb = n.renderedBoundingBox({ includeLabels: false });
    const w = this.container.clientWidth;
    const hgt = this.container.clientHeight;
    if (bb.x1 >= 0 && bb.y1 >= 0 && bb.x2 <= w && bb.y2 <= hgt) return;
    this.cy.animate({ center: { eles: n } }, { duration: 250 });
  }

  /** Where the next redraw puts a node (graph id) that changes parent: where it was dropped. */
  readonly placeAt = new Map<string, { x: number; y: number }>();

  /** The selection as the panels see it (after a redraw: the same object, redrawn). */
  selection(): Selection {
    const el = this.cy.$(':selected').first();
    if (el.empty()) return null;
    return el.isNode() ? { kind: 'node', data: el.data() as GraphNodeData } : { kind: 'edge', data: el.data() as GraphEdgeData };
  }

  /**
   * Leaves that changed parent without a drop position. A VM (migrated): above the port group its
   * first vNIC joins, in the clients' row, or stacked above what is already there — the host box
   * grows upwards, never into its neighbours. Anything else (an uplink moved to a vSwitch): right
   * of its new siblings of the same kind. Else where the tidy layout would put it.
   */
  private placeBesideSiblings(ids: readonly string[], topology: TopologyDoc): void {
    let tidy: Map<string, { x: number; y: number }> | undefined;
    for (const id of ids) {
      const n = this.cy.getElementById(id);
      if (n.empty()) continue;
      const kind = n.data('kind') as string;
      let p: { x: number; y: number } | undefined;
      if (kind === 'vm') {
        const pg = this.index?.ifacePortGroup.get(((n.data('ifaces') as string[] | undefined) ?? [])[0] ?? '');
        const pgNode = pg ? this.cy.getElementById(pg) : undefined;
        const host = n.parent().first();
        if (pgNode?.nonempty() && host.nonempty()) {
          const others = host
            .descendants()
            .filter((x) => x.id() !== id && x.isChildless() && !ids.includes(x.id()))
            .nodes()
            .map((o) => ({ ...o.position() }));
          const spot = { x: pgNode.position().x, y: pgNode.position().y - 120 };
          const taken = (): boolean => others.some((o) => Math.abs(o.x - spot.x) < 125 && Math.abs(o.y - spot.y) < 52);
          for (let guard = 0; guard < 200 && taken(); guard++) spot.y -= 56;
          p = spot;
        }
      } else {
        const siblings = n.parent().children().filter((x) => x.id() !== id && x.isChildless() && x.data('kind') === kind && !ids.includes(x.id())).nodes();
        if (siblings.nonempty()) {
          let right = { x: -Infinity, y: 0 };
          siblings.forEach((x) => {
            if (x.position().x > right.x) right = { ...x.position() };
          });
          p = { x: right.x + 90, y: right.y };
        }
      }
      if (!p) {
        tidy ??= tidyLayout(topology);
        p = tidy.get(id);
      }
      if (p) n.position(p);
    }
  }

  private runLayout(fixed: Array<{ nodeId: string; position: { x: number; y: number } }>, large: boolean, seed: number): void {
    const options = {
      name: 'fcose',
      quality: large ? 'draft' : 'default',
      randomize: true,
      animate: false,
      fit: true,
      padding: 30,
      nodeDimensionsIncludeLabels: true,
      uniformNodeDimensions: false,
      packComponents: false,
      nodeRepulsion: () => 6000,
      idealEdgeLength: () => 60,
      edgeElasticity: () => 0.45,
      nestingFactor: 0.12,
      gravity: 0.3,
      gravityCompound: 1.2,
      gravityRangeCompound: 1.6,
      numIter: large ? 1200 : 2500,
      tile: true,
      tilingPaddingVertical: 12,
      tilingPaddingHorizontal: 12,
      fixedNodeConstraint: fixed.length > 0 ? fixed : undefined,
    };
    withSeededRandom(seed, () => this.cy.layout(options as unknown as cytoscape.LayoutOptions).run());
  }

  /**
   * A host or physical switch named in `layout.positions` is moved so that its box is centred
   * there, unless something inside it has a position of its own (then those win).
   */
  private placeCompounds(positions: Record<string, { x: number; y: number }>, anyFixed: boolean): void {
    let moved = false;
    this.cy.nodes().forEach((n) => {
      if (n.isChildless() || n.isChild()) return;
      const key = n.data('layoutKey') as string | undefined;
      const p = key !== undefined ? positions[key] : undefined;
      if (!p) return;
      const inside = n.descendants().filter((d) => d.isChildless());
      if (inside.some((d) => positions[(d.data('layoutKey') as string | undefined) ?? ''] !== undefined)) return;
      const bb = n.boundingBox({ includeLabels: false });
      const dx = p.x - (bb.x1 + bb.x2) / 2;
      const dy = p.y - (bb.y1 + bb.y2) / 2;
      inside.forEach((d) => {
        const q = d.position();
        d.position({ x: q.x + dx, y: q.y + dy });
      });
      moved = true;
    });
    if (moved || anyFixed) this.cy.fit(undefined, 30);
  }

  private renderLegend(vlans: number[]): void {
    const items: HTMLElement[] = [];
    for (const v of vlans) items.push(h('li', {}, h('span', { class: 'swatch', style: `background:${vlanColour(v)}` }), vlanLabel(v)));
    items.push(h('li', {}, h('span', { class: 'swatch line', style: 'background:#343a40' }), 'link up'));
    items.push(h('li', {}, h('span', { class: 'swatch line dashed' }), 'link down'));
    items.push(h('li', {}, h('span', { class: 'swatch dot', style: 'background:#1c7ed6' }), 'frame (tags on it)'));
    items.push(h('li', {}, h('span', { class: 'swatch mark drop' }, '✕'), 'drop, with reason'));
    items.push(h('li', {}, h('span', { class: 'swatch mark ok' }, '✓'), 'delivered'));
    this.legend.replaceChildren(h('strong', {}, 'Legend'), h('ul', {}, ...items));
  }

  /** Small labs: label sizes follow the zoom so that none is drawn under MIN_LABEL_PX (big labs: as styled). */
  private scaleLabels(modeChanged = false): void {
    const want = this.largeMode ? 0 : Math.min(MAX_LABEL_FLOOR, Math.ceil((MIN_LABEL_PX / this.cy.zoom()) * 10 + 0.5) / 10);
    if (!modeChanged && Math.abs(want - this.labelFloor) < 0.05) return;
    this.labelFloor = want;
    this.cy.style(this.largeMode ? LARGE_STYLE : styleWithFloor(want));
  }

  fit(): void {
    if (this.largeMode) {
      this.fitFast();
      return;
    }
    this.fitting++;
    this.cy.animate({ fit: { eles: this.cy.elements(), padding: 30 } }, { duration: 200, complete: () => void this.fitting-- });
  }

  /**
   * True when no fit animation runs and no label rescale waits (the zoom's 60 ms debounce): what
   * the graph shows is final. Tests wait on it instead of on a fixed time.
   */
  get settled(): boolean {
    return this.fitting === 0 && this.labelTimer === 0;
  }

  zoomBy(factor: number): void {
    const c = { x: this.container.clientWidth / 2, y: this.container.clientHeight / 2 };
    this.cy.zoom({ level: this.cy.zoom() * factor, renderedPosition: c });
  }

  /** Structured layout (tidy-layout.ts): hosts, vSwitches, port groups, switches in rows. */
  tidy(topology: TopologyDoc): void {
    const pos = tidyLayout(topology);
    this.cy.batch(() => {
      this.cy.nodes().forEach((n) => {
        if (!n.isChildless()) return;
        const p = pos.get(n.id());
        if (p) n.position(p);
      });
    });
    this.cy.fit(undefined, 30);
  }

  /** Lays the graph out again: `tidy`, or `force` (fcose; positions from the file still hold). */
  relayout(topology: TopologyDoc, mode: 'tidy' | 'force' = 'force'): void {
    if (mode === 'tidy') {
      this.tidy(topology);
      return;
    }
    this.cy.nodes().forEach((n) => {
      n.position({ x: 0, y: 0 });
    });
    const fixed: Array<{ nodeId: string; position: { x: number; y: number } }> = [];
    const positions = topology.layout?.positions ?? {};
    this.cy.nodes().forEach((n) => {
      const key = n.data('layoutKey') as string | undefined;
      if (key !== undefined && positions[key] && n.isChildless()) fixed.push({ nodeId: n.id(), position: positions[key] });
    });
    this.runLayout(fixed, this.cy.nodes().length > TopologyView.LARGE, hashString(topology.name));
    this.placeCompounds(positions, fixed.length > 0);
  }

  /** Positions keyed for the file's `layout.positions`: every leaf, and the centre of each host and switch box. */
  positions(): Record<string, { x: number; y: number }> {
    const list: Array<{ layoutKey?: string; x: number; y: number }> = [];
    this.cy.nodes().forEach((n) => {
      const key = n.data('layoutKey') as string | undefined;
      if (key === undefined) return;
      if (n.isChildless()) list.push({ layoutKey: key, ...n.position() });
      else {
        const bb = n.boundingBox({ includeLabels: false });
        list.push({ layoutKey: key, x: (bb.x1 + bb.x2) / 2, y: (bb.y1 + bb.y2) / 2 });
      }
    });
    return layoutPositions(list);
  }

  select(nodeId: string): void {
    const n = this.cy.getElementById(nodeId);
    if (n.empty()) return;
    this.cy.$(':selected').unselect();
    n.select();
  }

  nodeOfIface(iface: string): string | undefined {
    return this.index?.ifaceNode.get(iface);
  }

  /** Marks the graph element being captured live ("Capture here"), or none. */
  markCapture(elementId: string | null): void {
    this.cy.elements('.capturing').removeClass('capturing');
    if (elementId !== null) this.cy.getElementById(elementId).addClass('capturing');
  }

  /** Marks `node:iface` as the source of the next frames. */
  markSource(iface: string | null): void {
    this.cy.nodes('.source').removeClass('source');
    const id = iface ? this.nodeOfIface(iface) : undefined;
    if (id) this.cy.getElementById(id).addClass('source');
  }

  // --- animation ---------------------------------------------------------------------------

  get tokenCount(): number {
    return this.tokens.length;
  }

  /** Sends a token along the way points (graph node ids). Returns false when over the cap. */
  travel(path: string[], label: string, colour: string, duration: number, onArrive?: () => void): boolean {
    const clean = path.filter((id, i) => i === 0 || id !== path[i - 1]);
    if (clean.length < 2 || this.tokens.length >= MAX_TOKENS) {
      onArrive?.();
      return false;
    }
    this.tokens.push({ path: clean, label, colour, start: performance.now(), duration, onArrive });
    this.requestDraw();
    return true;
  }

  /** Drop or delivery at an interface, shown for a while. */
  mark(kind: 'drop' | 'deliver', iface: string, text: string): void {
    const nodeId = this.nodeOfIface(iface) ?? this.index?.placeNode.get(iface) ?? this.index?.placeNode.get(iface.split(':')[0]!);
    if (!nodeId) return;
    this.marks = this.marks.filter((m) => !(m.nodeId === nodeId && m.kind === kind && m.text === text));
    this.marks.push({ kind, nodeId, iface, text, at: performance.now() });
    if (this.marks.length > MAX_MARKS) this.marks.splice(0, this.marks.length - MAX_MARKS);
    this.requestDraw();
    // big labs: the overlay's badge only. A class on a node inside a host box restyles the box and
    // everything in it (compound nodes), and the RARPs of one link-down mark a hundred VMs: seconds
    // of restyle and redraw, twice (on and, 12 s later, off)
    if (this.largeMode) return;
    const cls = kind === 'drop' ? 'dropped' : 'delivered';
    const node = this.cy.getElementById(nodeId);
    node.addClass(cls);
    const key = `${cls}|${nodeId}`;
    clearTimeout(this.highlightTimers.get(key));
    this.highlightTimers.set(
      key,
      setTimeout(() => {
        node.removeClass(cls);
        this.highlightTimers.delete(key);
      }, MARK_MS),
    );
  }

  /** Current marks (what the overlay shows): for the status line and tests. */
  currentMarks(): Mark[] {
    const now = performance.now();
    return this.marks.filter((m) => now - m.at < MARK_MS);
  }

  clearMarks(): void {
    this.marks = [];
    this.tokens = [];
    this.cy.nodes('.delivered, .dropped').removeClass('delivered dropped');
    this.requestDraw();
  }

  private resizeOverlay(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = this.container.clientWidth;
    const hgt = this.container.clientHeight;
    this.overlay.width = Math.max(1, Math.round(w * dpr));
    this.overlay.height = Math.max(1, Math.round(hgt * dpr));
    this.overlay.style.width = `${w}px`;
    this.overlay.style.height = `${hgt}px`;
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.requestDraw();
  }

  private requestDraw(): void {
    if (this.raf === 0) this.raf = requestAnimationFrame(this.draw);
  }

  private pos(id: string): { x: number; y: number } | null {
    const n = this.cy.getElementById(id) as NodeSingular;
    if (n.empty()) return null;
    return n.renderedPosition();
  }

  private draw = (): void => {
    this.raf = 0;
    // nothing on the overlay and nothing to put there: a pan or a graph render costs no canvas work
    if (!this.overlayDrawn && this.tokens.length === 0 && this.marks.length === 0) return;
    this.overlayDrawn = this.tokens.length > 0 || this.marks.length > 0;
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.container.clientWidth, this.container.clientHeight);
    const now = performance.now();
    const zoom = Math.min(1.4, Math.max(0.6, this.cy.zoom()));
    // marks
    this.marks = this.marks.filter((m) => now - m.at < MARK_MS);
    ctx.textBaseline = 'middle';
    for (const m of this.marks) {
      const p = this.pos(m.nodeId);
      if (!p) continue;
      const age = (now - m.at) / MARK_MS;
      ctx.globalAlpha = age > 0.8 ? (1 - age) / 0.2 : 1;
      const drop = m.kind === 'drop';
      const badge = drop ? '✕' : '✓';
      ctx.font = `600 ${Math.round(11 * zoom)}px system-ui, sans-serif`;
      const text = `${badge} ${m.text}`;
      const w = ctx.measureText(text).width + 10;
      const y = p.y - 30 * zoom - (drop ? 0 : 16 * zoom);
      ctx.fillStyle = drop ? '#e03131' : '#2f9e44';
      ctx.beginPath();
      ctx.roundRect(p.x - w / 2, y - 9 * zoom, w, 18 * zoom, 4);
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.textAlign = 'center';
      ctx.fillText(text, p.x, y);
    }
    ctx.globalAlpha = 1;
    // tokens
    const alive: Token[] = [];
    for (const t of this.tokens) {
      const f = (now - t.start) / t.duration;
      if (f >= 1) {
        t.onArrive?.();
        continue;
      }
      alive.push(t);
      const pts = t.path.map((id) => this.pos(id));
      if (pts.some((p) => p === null)) continue;
      const segs = pts.length - 1;
      const s = Math.min(segs - 1, Math.floor(f * segs));
      const local = f * segs - s;
      const a = pts[s]!;
      const b = pts[s + 1]!;
      const x = a.x + (b.x - a.x) * local;
      const y = a.y + (b.y - a.y) * local;
      ctx.fillStyle = t.colour;
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, 9 * zoom, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      if (t.label) {
        ctx.font = `600 ${Math.round(11 * zoom)}px system-ui, sans-serif`;
        ctx.textAlign = 'left';
        const w = ctx.measureText(t.label).width + 8;
        const lx = x + 12 * zoom;
        ctx.fillStyle = 'rgba(255,255,255,0.95)';
        ctx.strokeStyle = t.colour;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        ctx.roundRect(lx, y - 8 * zoom, w, 16 * zoom, 3);
        ctx.fill();
        ctx.stroke();
        ctx.fillStyle = '#212529';
        ctx.fillText(t.label, lx + 4, y);
      }
    }
    this.tokens = alive;
    if (this.tokens.length > 0 || this.marks.length > 0) this.requestDraw();
  };
}
