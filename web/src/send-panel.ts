/**
 * Send test frames: source interface (list, or click a node), kind, destination with suggestions
 * from the topology, VLAN tag and PCP where they make sense, count; a dry-run explain; and a
 * one-click "ping A -> B". A 4xx answer's `{error, details}` is shown next to the field it names.
 */
import { api, ApiFailure } from './api.js';
import { clear, h, optionsHtml, toast } from './dom.js';
import { listInterfaces, isEndpoint, type InterfaceInfo } from './interfaces.js';
import type { ExplainJson, FrameSpec, PingRequest, PingResponse, SendFrameResponse, TopologyDoc } from './model.js';
import { ruleTitle } from '../../src/engine/rules.js';
import { branchMark, copyTree, copyTreeRows, withoutCitedRule } from '../../src/engine/copy-tree.js';

type Kind = 'arp-request' | 'icmp-echo' | 'udp' | 'broadcast' | 'gratuitous-arp' | 'rarp' | 'hex';

const KINDS: Array<[Kind, string]> = [
  ['arp-request', 'ARP request'],
  ['icmp-echo', 'Ping (one ICMP echo request)'],
  ['udp', 'UDP datagram'],
  ['broadcast', 'Broadcast (Ethernet, ff:ff:ff:ff:ff:ff)'],
  ['gratuitous-arp', 'Gratuitous ARP'],
  ['rarp', 'RARP (like notify switches)'],
  ['hex', 'Raw hex'],
];

interface Field {
  wrap: HTMLElement;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLElement;
}

let uid = 0;

function field(label: string, input: Field['input'], hint?: string): Field {
  const id = input.id || `f-${++uid}`;
  input.id = id;
  const error = h('div', { class: 'field-error', role: 'alert', id: `${id}-error` });
  input.setAttribute('aria-describedby', `${id}-error`);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('div', { class: 'hint' }, hint) : null, error);
  return { wrap, input, error };
}

/** `'frame.dstIp'` -> the field key it names */
function fieldOfPath(path: string): string {
  const p = path.replace(/^body\./, '');
  if (p === 'from' || p.startsWith('from')) return 'from';
  if (p === 'count') return 'count';
  if (p === 'to') return 'to';
  const m = /^frame\.([A-Za-z]+)/.exec(p);
  if (m) return m[1]!;
  if (p === 'frame' || p === '') return 'general';
  return p.split(/[.[]/)[0]!;
}

export class SendPanel {
  readonly root: HTMLElement;
  private ifaces: InterfaceInfo[] = [];
  /** the interface lists last put in the selects (JSON), so an unchanged list is not rebuilt */
  private ifacesKey = '';
  private readonly f: Record<string, Field> = {};

  /** A field the form was built with (a missing one is a bug of this file). */
  private field(key: string): Field {
    const f = this.f[key];
    if (f === undefined) throw new Error(`send panel: no field ${key}`);
    return f;
  }
  private readonly general: HTMLElement;
  private readonly result: HTMLElement;
  private readonly pingFrom: HTMLSelectElement;
  private readonly pingTo: HTMLSelectElement;
  private readonly pingCount: HTMLInputElement;
  private readonly pingSize: HTMLInputElement;
  private readonly pingTtl: HTMLInputElement;
  private readonly pingDf: HTMLInputElement;
  private readonly pingInterval: HTMLInputElement;
  private readonly pingTimeout: HTMLInputElement;
  private readonly pingCommand: HTMLElement;
  private readonly pingError: HTMLElement;
  private readonly pingResult: HTMLElement;
  private readonly ipList: HTMLDataListElement;
  private readonly macList: HTMLDataListElement;
  private readonly tagToggle: HTMLInputElement;
  /** a ping the server queued (clock paused/stepped): its result arrives over socket.io */
  private pendingPing: { from: string; to: string } | null = null;
  /** the panel sent something: events to merge, frame ids to follow */
  onSent: (r: SendFrameResponse) => void = () => undefined;
  onSource: (iface: string | null) => void = () => undefined;

  constructor() {
    this.ipList = h('datalist', { id: 'ip-suggestions' });
    this.macList = h('datalist', { id: 'mac-suggestions' });
    const from = h('select', { id: 'send-from', 'aria-label': 'Source interface' });
    const kind = h('select', { id: 'send-kind' });
    for (const [k, label] of KINDS) kind.append(h('option', { value: k }, label));
    this.f.from = field('From (click a node to pick)', from);
    this.f.kind = field('Kind', kind);
    this.f.dstIp = field('Destination IP', h('input', { id: 'send-dst-ip', list: 'ip-suggestions', placeholder: 'e.g. 10.0.10.12', autocomplete: 'off' }));
    this.f.targetIp = this.f.dstIp;
    this.f.dst = field('Destination MAC', h('input', { id: 'send-dst-mac', list: 'mac-suggestions', placeholder: 'default for the kind', autocomplete: 'off' }));
    this.f.src = field(
      'Source MAC',
      h('input', { id: 'send-src-mac', list: 'mac-suggestions', placeholder: 'the interface\'s own (change it to forge)', autocomplete: 'off' }),
      'A different source MAC is a forged transmit (S3).',
    );
    this.f.srcIp = field('Source IP', h('input', { id: 'send-src-ip', placeholder: 'the interface\'s own', autocomplete: 'off' }));
    this.f.dstPort = field('UDP destination port', h('input', { id: 'send-dst-port', type: 'number', min: 0, max: 65535, value: 9 }));
    this.f.srcPort = field('UDP source port', h('input', { id: 'send-src-port', type: 'number', min: 0, max: 65535, placeholder: 'any' }));
    this.f.payloadHex = field('Payload (hex)', h('input', { id: 'send-payload', placeholder: 'optional, e.g. 68656c6c6f', autocomplete: 'off' }));
    this.f.payloadLength = field(
      'Payload length (bytes)',
      h('input', { id: 'send-payload-length', type: 'number', min: 0, max: 9000, placeholder: 'or a length: 00 01 02 … filled' }),
      'Instead of hex: this many bytes of a counting pattern.',
    );
    this.f.size = field('ICMP data bytes (-s)', h('input', { id: 'send-size', type: 'number', min: 0, max: 9000, placeholder: '56' }), '8972 + 28 header bytes = a 9000-byte packet.');
    this.f.ttl = field('TTL', h('input', { id: 'send-ttl', type: 'number', min: 0, max: 255, placeholder: '64' }));
    this.f.dscp = field('DSCP', h('input', { id: 'send-dscp', type: 'number', min: 0, max: 63, placeholder: '0 (46 = EF)' }));
    this.f.df = field('Don\'t fragment (DF)', h('input', { id: 'send-df', type: 'checkbox' }));
    this.f.hex = field(
      'Frame bytes (hex)',
      h('textarea', { id: 'send-hex', rows: 3, placeholder: 'ffffffffffff 005056aa0001 0806 …' }),
      'Whole Ethernet frame, without FCS; spaces and colons are ignored.',
    );
    this.f.vlan = field(
      'VLAN tag',
      h('input', { id: 'send-vlan', placeholder: '10, or 100,10 for QinQ', autocomplete: 'off' }),
      'Guests on a VLAN 4095 port group tag their own frames; on a physical port the tag is as on the wire.',
    );
    this.f.pcp = field('PCP', h('input', { id: 'send-pcp', type: 'number', min: 0, max: 7, placeholder: '0' }));
    this.f.count = field('Count', h('input', { id: 'send-count', type: 'number', min: 1, max: 1000, value: 1 }));
    this.f.intervalMs = field(
      'Every (ms)',
      h('input', { id: 'send-interval', type: 'number', min: 0, max: 10000, step: 'any', placeholder: '0: all at once' }),
      'A flood: one frame every this many ms on the lab clock (e.g. 1000 × 1400 bytes every 0.5 ms fills a shaping queue, Q1).',
    );
    this.tagToggle = h('input', { type: 'checkbox', id: 'send-tag-anyway' });
    this.general = h('div', { class: 'field-error general', role: 'alert', id: 'send-error' });
    this.result = h('div', { class: 'send-result', id: 'send-result', 'aria-live': 'polite' });

    from.addEventListener('change', () => {
      this.update();
      this.onSource(from.value || null);
    });
    kind.addEventListener('change', () => this.update());
    this.tagToggle.addEventListener('change', () => this.update());

    const sendBtn = h('button', { type: 'submit', class: 'primary', id: 'send-button' }, 'Send');
    const explainBtn = h('button', { type: 'button', id: 'explain-button', title: 'Dry run: what would happen, without sending' }, 'Explain (dry run)');
    explainBtn.addEventListener('click', () => void this.explain());
    const form = h(
      'form',
      { class: 'send-form', 'aria-label': 'Send a test frame' },
      this.f.from.wrap,
      this.f.kind.wrap,
      this.f.dstIp.wrap,
      h('div', { class: 'two' }, this.f.dstPort.wrap, this.f.srcPort.wrap),
      this.f.dst.wrap,
      this.f.src.wrap,
      this.f.srcIp.wrap,
      this.f.payloadHex.wrap,
      this.f.payloadLength.wrap,
      this.f.size.wrap,
      h('div', { class: 'two' }, this.f.ttl.wrap, this.f.dscp.wrap),
      this.f.df.wrap,
      this.f.hex.wrap,
      h('div', { class: 'two' }, this.f.vlan.wrap, this.f.pcp.wrap),
      h('label', { class: 'inline', id: 'tag-anyway-wrap' }, this.tagToggle, ' add an 802.1Q tag anyway (a guest tag on a VLAN 0..4094 port group is dropped, V1)'),
      h('div', { class: 'two' }, this.f.count.wrap, this.f.intervalMs.wrap),
      h('div', { class: 'actions' }, sendBtn, explainBtn),
      this.general,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.send();
    });

    this.pingFrom = h('select', { id: 'ping-from', 'aria-label': 'Ping from' });
    this.pingTo = h('select', { id: 'ping-to', 'aria-label': 'Ping to' });
    this.pingCount = h('input', { id: 'ping-count', type: 'number', min: 1, max: 100, value: 1, 'aria-label': 'Ping count' });
    this.pingSize = h('input', { id: 'ping-size', type: 'number', min: 0, max: 65507, placeholder: '56' });
    this.pingDf = h('input', { id: 'ping-df', type: 'checkbox' });
    this.pingTtl = h('input', { id: 'ping-ttl', type: 'number', min: 1, max: 255, placeholder: '64' });
    this.pingInterval = h('input', { id: 'ping-interval', type: 'number', min: 1, max: 10000, placeholder: '1000' });
    this.pingTimeout = h('input', { id: 'ping-timeout', type: 'number', min: 1, max: 30000, placeholder: '1000' });
    this.pingCommand = h('code', { id: 'ping-command', class: 'muted' });
    const opt = (label: string, input: HTMLInputElement, hint: string) => h('label', { class: 'ping-opt', title: hint }, `${label} `, input);
    const pingOptions = h(
      'details',
      { class: 'ping-options', id: 'ping-options' },
      h('summary', {}, 'Options (size, DF, TTL, interval, timeout)'),
      h(
        'div',
        { class: 'ping-opts' },
        opt('-s data bytes', this.pingSize, 'ICMP data bytes (default 56); -d -s 8972 proves a 9000-byte path (E2)'),
        h('label', { class: 'ping-opt inline', title: 'don\'t fragment: a packet over a path\'s MTU is not cut, it fails' }, this.pingDf, ' -d don’t fragment'),
        opt('-t TTL', this.pingTtl, 'IPv4 TTL / IPv6 hop limit of the probes, 1..255 (default 64); the lab has no routers, so it never runs out on the way'),
        opt('interval ms', this.pingInterval, 'time between probes on the lab clock (default 1000 ms)'),
        opt('timeout ms', this.pingTimeout, 'how long each probe waits for its reply (default 1000 ms)'),
      ),
      h('div', { class: 'hint' }, 'Same as ', this.pingCommand),
    );
    for (const el of [this.pingFrom, this.pingTo, this.pingCount, this.pingSize, this.pingDf, this.pingTtl, this.pingInterval, this.pingTimeout])
      el.addEventListener('input', () => this.showPingCommand());
    this.pingFrom.addEventListener('change', () => this.showPingCommand());
    this.pingTo.addEventListener('change', () => this.showPingCommand());
    this.pingError = h('div', { class: 'field-error', role: 'alert', id: 'ping-error' });
    this.pingResult = h('div', { class: 'send-result', id: 'ping-result', 'aria-live': 'polite' });
    const pingBtn = h('button', { type: 'submit', class: 'primary', id: 'ping-button' }, 'Ping');
    const pingForm = h(
      'form',
      { class: 'ping-form', 'aria-label': 'Ping from one endpoint to another' },
      h('h3', {}, 'Ping A → B'),
      h('div', { class: 'ping-row' }, this.pingFrom, h('span', { 'aria-hidden': 'true' }, '→'), this.pingTo, this.pingCount, pingBtn),
      pingOptions,
      this.pingError,
      this.pingResult,
    );
    pingForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.ping();
    });

    this.root = h('div', { class: 'send-panel' }, pingForm, h('h3', {}, 'Send a test frame'), form, this.result, this.ipList, this.macList);
    this.update();
  }

  setTopology(t: TopologyDoc): void {
    const ifaces = listInterfaces(t);
    // a runtime change that leaves every interface as it was (a link down): the lists stay, no
    // rebuild of thousands of options in a big lab
    const key = JSON.stringify(ifaces);
    this.ifaces = ifaces;
    if (key === this.ifacesKey) return;
    this.ifacesKey = key;
    // a big lab's thousands of options: in a task of their own, not in the one that takes the
    // topology (which draws the graph too)
    if (ifaces.length > 500)
      setTimeout(() => {
        if (this.ifacesKey === key) this.fillLists(key);
      }, 0);
    else this.fillLists(key);
  }

  /** The option lists of `this.ifaces` (`key`: their JSON). */
  private fillLists(key: string): void {
    const ifaces = this.ifaces;
    const from = this.field('from').input as HTMLSelectElement;
    const prev = from.value;
    const groups: Array<[string, InterfaceInfo['kind'][]]> = [
      ['VM vNICs', ['vnic']],
      ['VMkernel adapters', ['vmk']],
      ['Physical hosts', ['physical-nic']],
      ['Physical switch ports (frames as on the wire)', ['switch-port']],
      ['Uplinks (frames arriving from the wire)', ['vmnic']],
    ];
    // option lists as HTML strings: a big lab has thousands of interfaces
    let html = '';
    for (const [label, kinds] of groups) {
      const items = this.ifaces.filter((i) => kinds.includes(i.kind));
      if (items.length === 0) continue;
      html += optionsHtml(
        items.map((i) => [i.ref, `${i.ref}${i.ipv4 ? `  ${i.ipv4}` : ''}${i.vlan !== undefined ? `  (VLAN ${i.vlan})` : ''}`] as const),
        label,
      );
    }
    from.innerHTML = html;
    if (prev && this.ifaces.some((i) => i.ref === prev)) from.value = prev;
    const ips: Array<[string, string]> = [];
    const macs: Array<[string, string]> = [['ff:ff:ff:ff:ff:ff', 'broadcast']];
    for (const i of this.ifaces) {
      if (i.ipv4) ips.push([i.ipv4, i.ref]);
      for (const v of i.vlanIps ?? []) if (v.ipv4) ips.push([v.ipv4, `${i.ref}.${v.vlan}`]);
      if (i.mac) macs.push([i.mac, i.ref]);
    }
    // the address suggestions show only when typed into: a big lab's are set in tasks of their
    // own, not in the one that takes the topology (thousands of options each)
    const suggestions: Array<[HTMLDataListElement, string]> = [
      [this.ipList, optionsHtml(ips)],
      [this.macList, optionsHtml(macs)],
    ];
    for (const [list, html] of suggestions) {
      if (ifaces.length <= 500) list.innerHTML = html;
      else
        setTimeout(() => {
          if (this.ifacesKey === key) list.innerHTML = html;
        }, 0);
    }
    const endpoints = this.ifaces.filter((i) => isEndpoint(i) && (i.ipv4 || i.ipv6));
    const pf = this.pingFrom.value;
    const pt = this.pingTo.value;
    const froms: Array<[string, string]> = [];
    const tos: Array<[string, string]> = [];
    for (const i of endpoints) {
      const addresses = [...(i.ipv4 ? [i.ipv4] : []), ...(i.ipv6 ?? [])];
      froms.push([i.ref, `${i.ref} (${addresses.join(', ')})`]);
      // E4: every configured IPv6 address is a target too (ping -6)
      for (const a of addresses) tos.push([a, `${i.ref} (${a})`]);
    }
    this.pingFrom.innerHTML = optionsHtml(froms);
    this.pingTo.innerHTML = optionsHtml(tos);
    if (pf && endpoints.some((i) => i.ref === pf)) this.pingFrom.value = pf;
    if (pt && [...this.pingTo.options].some((o) => o.value === pt)) this.pingTo.value = pt;
    else if (endpoints.length > 1) this.pingTo.value = this.firstTarget(endpoints[1]!);
    this.update();
    this.showPingCommand();
  }

  /** The first ping target of an endpoint: its IPv4 address, else its first IPv6 one. */
  private firstTarget(i: InterfaceInfo): string {
    return i.ipv4 ?? i.ipv6?.[0] ?? '';
  }

  /** A node was clicked: its first interface becomes the source (and the ping source when it can ping). */
  pickSource(ifaces: readonly string[]): void {
    const ref = ifaces.find((r) => this.ifaces.some((i) => i.ref === r));
    if (!ref) return;
    (this.field('from').input as HTMLSelectElement).value = ref;
    if ([...this.pingFrom.options].some((o) => o.value === ref)) this.pingFrom.value = ref;
    this.update();
    this.onSource(ref);
  }

  /** A node was clicked while choosing a destination (shift-click): fill the destination. */
  pickDestination(ifaces: readonly string[]): void {
    const info = this.ifaces.find((i) => ifaces.includes(i.ref));
    if (!info) return;
    if (info.ipv4) (this.field('dstIp').input as HTMLInputElement).value = info.ipv4;
    const target = this.firstTarget(info);
    if ([...this.pingTo.options].some((o) => o.value === target)) this.pingTo.value = target;
  }

  get source(): string {
    return (this.field('from').input as HTMLSelectElement).value;
  }

  private kind(): Kind {
    return (this.field('kind').input as HTMLSelectElement).value as Kind;
  }

  private sourceInfo(): InterfaceInfo | undefined {
    return this.ifaces.find((i) => i.ref === this.source);
  }

  /** Show the fields the kind uses. */
  private update(): void {
    const k = this.kind();
    const src = this.sourceInfo();
    const tagSensible = src !== undefined && (src.vlan === 4095 || src.kind === 'switch-port' || src.kind === 'vmnic' || src.kind === 'physical-nic');
    const showTag = k !== 'hex' && (tagSensible || this.tagToggle.checked);
    const vis: Record<string, boolean> = {
      dstIp: k === 'arp-request' || k === 'icmp-echo' || k === 'udp',
      dstPort: k === 'udp',
      srcPort: k === 'udp',
      payloadHex: k === 'udp' || k === 'broadcast',
      payloadLength: k === 'udp' || k === 'broadcast',
      size: k === 'icmp-echo',
      ttl: k === 'icmp-echo' || k === 'udp',
      dscp: k === 'icmp-echo' || k === 'udp',
      df: k === 'icmp-echo' || k === 'udp',
      dst: k !== 'hex',
      src: k !== 'hex',
      srcIp: k === 'arp-request' || k === 'icmp-echo' || k === 'udp' || k === 'gratuitous-arp',
      hex: k === 'hex',
      vlan: showTag,
      pcp: showTag,
    };
    for (const [key, show] of Object.entries(vis)) this.f[key]!.wrap.hidden = !show;
    (this.field('dstIp').wrap.querySelector('label') as HTMLElement).textContent = k === 'arp-request' ? 'Target IP (who has?)' : 'Destination IP';
    const anyway = this.root?.querySelector<HTMLElement>('#tag-anyway-wrap') ?? null;
    if (anyway) anyway.hidden = k === 'hex' || tagSensible;
  }

  private value(key: string): string {
    return this.f[key]!.input.value.trim();
  }

  /** A number field when shown and filled (the server checks the range and names the field). */
  private num(key: string): number | undefined {
    if (this.f[key]!.wrap.hidden || this.value(key) === '') return undefined;
    return Number(this.value(key));
  }

  /** ttl, dscp, df of an IPv4 kind, when set. */
  private ipOptions(): { ttl?: number; dscp?: number; df?: boolean } {
    const o: { ttl?: number; dscp?: number; df?: boolean } = {};
    const ttl = this.num('ttl');
    const dscp = this.num('dscp');
    if (ttl !== undefined) o.ttl = ttl;
    if (dscp !== undefined) o.dscp = dscp;
    if ((this.field('df').input as HTMLInputElement).checked) o.df = true;
    return o;
  }

  /** payloadHex or payloadLength, when set (both: the server says which to drop). */
  private payload(): { payloadHex?: string; payloadLength?: number } {
    const o: { payloadHex?: string; payloadLength?: number } = {};
    if (this.value('payloadHex')) o.payloadHex = this.value('payloadHex');
    const n = this.num('payloadLength');
    if (n !== undefined) o.payloadLength = n;
    return o;
  }

  private clearErrors(): void {
    for (const f of Object.values(this.f)) {
      f.error.textContent = '';
      f.input.removeAttribute('aria-invalid');
    }
    this.general.textContent = '';
  }

  private fieldError(key: string, message: string): void {
    const f = this.f[key];
    if (!f || f.wrap.hidden) {
      this.general.append(h('div', {}, key === 'general' ? message : `${key}: ${message}`));
      return;
    }
    f.error.textContent = f.error.textContent ? `${f.error.textContent}; ${message}` : message;
    f.input.setAttribute('aria-invalid', 'true');
  }

  /** The server's 4xx body next to the fields it names. */
  private showFailure(err: unknown): void {
    if (!(err instanceof ApiFailure)) {
      this.general.textContent = String(err);
      return;
    }
    const d = err.body.details as { issues?: Array<{ path: string; message: string }>; path?: string; field?: string } | undefined;
    if (d?.issues?.length) {
      this.general.textContent = err.body.error;
      for (const i of d.issues) this.fieldError(fieldOfPath(i.path), i.message);
      return;
    }
    const named = d?.field ?? d?.path;
    if (typeof named === 'string') this.fieldError(fieldOfPath(named), err.body.error);
    else this.general.textContent = err.body.error;
  }

  /** Builds the FrameSpec from the form; local checks only for what the server cannot see (number parsing). */
  private spec(): FrameSpec | null {
    const k = this.kind();
    let ok = true;
    const common: { dst?: string; src?: string; vlan?: number | number[]; pcp?: number } = {};
    if (this.value('dst')) common.dst = this.value('dst');
    if (this.value('src')) common.src = this.value('src');
    if (!this.field('vlan').wrap.hidden && this.value('vlan')) {
      const parts = this.value('vlan').split(/[,/\s]+/).filter(Boolean).map(Number);
      if (parts.length === 0 || parts.length > 2 || parts.some((n) => !Number.isInteger(n))) {
        this.fieldError('vlan', 'one VLAN ID (0..4095), or two for QinQ: "100,10"');
        ok = false;
      } else common.vlan = parts.length === 1 ? parts[0]! : parts;
    }
    if (!this.field('pcp').wrap.hidden && this.value('pcp')) common.pcp = Number(this.value('pcp'));
    const srcIp = this.value('srcIp');
    let spec: FrameSpec;
    switch (k) {
      case 'arp-request':
        spec = { kind: 'arp-request', ...common, targetIp: this.value('dstIp'), ...(srcIp ? { senderIp: srcIp } : {}) };
        break;
      case 'icmp-echo':
        spec = { kind: 'icmp-echo', ...common, dstIp: this.value('dstIp'), ...(srcIp ? { srcIp } : {}), ...(this.num('size') !== undefined ? { size: this.num('size') } : {}), ...this.ipOptions() };
        break;
      case 'udp': {
        const sp = this.value('srcPort');
        spec = {
          kind: 'udp',
          ...common,
          dstIp: this.value('dstIp'),
          dstPort: Number(this.value('dstPort') || 'NaN'),
          ...(sp ? { srcPort: Number(sp) } : {}),
          ...(srcIp ? { srcIp } : {}),
          ...this.payload(),
          ...this.ipOptions(),
        };
        break;
      }
      case 'broadcast':
        spec = { kind: 'ethernet', ...common, dst: common.dst ?? 'ff:ff:ff:ff:ff:ff', ethertype: 0x88b5, ...this.payload() };
        break;
      case 'gratuitous-arp':
        spec = { kind: 'gratuitous-arp', ...common, ...(srcIp ? { ip: srcIp } : {}) };
        break;
      case 'rarp':
        spec = { kind: 'rarp', ...common };
        break;
      case 'hex':
        spec = { kind: 'hex', hex: this.value('hex') };
        break;
    }
    return ok ? spec : null;
  }

  private count(): number {
    const c = this.value('count');
    return c === '' ? 1 : Number(c);
  }

  /** Clears the last result and errors; the frame the form describes, or null with the errors shown. */
  private frameToSend(): FrameSpec | null {
    this.clearErrors();
    clear(this.result);
    if (!this.source) {
      this.fieldError('from', 'choose the interface that sends');
      return null;
    }
    return this.spec();
  }

  async send(): Promise<void> {
    const frame = this.frameToSend();
    if (!frame || !this.source) return;
    try {
      const intervalMs = this.num('intervalMs');
      const r = await api.send({ from: this.source, frame, count: this.count(), ...(intervalMs ? { intervalMs } : {}) });
      this.onSent(r);
      if (r.scheduled !== undefined) {
        this.result.append(
          h('p', {}, `Flood: frame ${r.frameIds[0]} sent, ${r.scheduled} more leave one every ${intervalMs} ms on the lab clock; watch the event list for their deliveries and drops.`),
        );
        return;
      }
      const drops = r.events.filter((e) => e.action === 'drop');
      const delivered = r.events.filter((e) => e.action === 'deliver');
      this.result.append(
        h(
          'p',
          {},
          `Sent ${r.frameIds.length === 1 ? `frame ${r.frameIds[0]}` : `${r.frameIds.length} frames`}: ${delivered.length} delivered, ${drops.length} dropped${
            r.complete ? '' : ' (still travelling: the clock is not running in real time)'
          }.`,
        ),
      );
    } catch (err) {
      this.showFailure(err);
    }
  }

  async explain(): Promise<void> {
    const frame = this.frameToSend();
    if (!frame || !this.source) return;
    try {
      const r = await api.explain(this.source, frame);
      this.result.append(h('h4', {}, 'Explain (dry run: nothing was sent)'), renderExplain(r));
    } catch (err) {
      this.showFailure(err);
    }
  }

  /** A ping that finished later (the server's `{kind: 'ping'}` state entry): shown if it is the one waiting here. */
  pingFinished(e: { from: string; to: string; result: unknown }): void {
    const p = this.pendingPing;
    if (!p || p.from !== e.from || p.to !== e.to) return;
    this.pendingPing = null;
    const r = e.result as Partial<PingResponse> | null;
    clear(this.pingResult);
    if (r && Array.isArray(r.output) && typeof r.received === 'number') this.pingResult.append(renderPing(r as PingResponse));
    else this.pingError.textContent = 'the ping ended without a result';
  }

  /** The ping the form describes (unset options: the engine's defaults, vmkping's). */
  private pingRequest(): PingRequest {
    const req: PingRequest = { from: this.pingFrom.value, to: this.pingTo.value, count: Number(this.pingCount.value || '1') };
    const n = (el: HTMLInputElement) => (el.value.trim() === '' ? undefined : Number(el.value));
    const size = n(this.pingSize);
    const ttl = n(this.pingTtl);
    const intervalMs = n(this.pingInterval);
    const timeoutMs = n(this.pingTimeout);
    if (size !== undefined) req.size = size;
    if (this.pingDf.checked) req.df = true;
    if (ttl !== undefined) req.ttl = ttl;
    if (intervalMs !== undefined) req.intervalMs = intervalMs;
    if (timeoutMs !== undefined) req.timeoutMs = timeoutMs;
    return req;
  }

  /** The command line that does the same: vmkping's for a vmk, ping's otherwise. */
  private showPingCommand(): void {
    const r = this.pingRequest();
    if (!r.from || !r.to) {
      this.pingCommand.textContent = '';
      return;
    }
    const vmk = /:vmk\d+$/.test(r.from);
    const parts = vmk ? ['vmkping', '-I', r.from.split(':')[1]!] : ['ping'];
    parts.push('-c', String(r.count ?? 1));
    if (r.to.includes(':')) parts.push('-6');
    if (r.df) parts.push(vmk ? '-d' : '-M do');
    if (r.size !== undefined) parts.push('-s', String(r.size));
    if (r.ttl !== undefined) parts.push('-t', String(r.ttl));
    if (r.intervalMs !== undefined) parts.push('-i', String(r.intervalMs / 1000));
    if (r.timeoutMs !== undefined) parts.push('-W', String(r.timeoutMs / 1000));
    parts.push(r.to);
    this.pingCommand.textContent = `${parts.join(' ')}${vmk ? '' : `  (on ${r.from.split(':')[0]})`}`;
  }

  /** A new topology: the previous lab's results and errors go. */
  resetResults(): void {
    this.pendingPing = null;
    this.clearErrors();
    clear(this.result);
    clear(this.pingResult);
    this.pingError.textContent = '';
  }

  async ping(): Promise<void> {
    this.pingError.textContent = '';
    clear(this.pingResult);
    const from = this.pingFrom.value;
    const to = this.pingTo.value;
    if (!from || !to) {
      this.pingError.textContent = 'choose both ends';
      return;
    }
    const r0 = this.pingRequest();
    this.pingResult.append(h('p', { class: 'muted' }, `ping ${to} from ${from} …`));
    try {
      const r = await api.ping(r0);
      clear(this.pingResult);
      if ('pending' in r) {
        // paused or stepped clock: the ping waits in the queue; its result comes over socket.io
        this.pendingPing = { from: r.from, to: r.to };
        this.pingResult.append(
          h('p', { class: 'muted', id: 'ping-pending' }, `ping ${to} from ${from} waits for the lab clock (${r.clock.mode}): Step event runs it hop by hop, real time runs it to the end.`),
        );
        return;
      }
      this.pendingPing = null;
      this.pingResult.append(renderPing(r));
    } catch (err) {
      clear(this.pingResult);
      if (err instanceof ApiFailure) {
        const d = err.body.details as { issues?: Array<{ path: string; message: string }> } | undefined;
        this.pingError.textContent = d?.issues?.length ? d.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : err.body.error;
      } else this.pingError.textContent = String(err);
      toast(`ping failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }
}

/** Ping result as ping(8) (vmkping from a vmk) prints it: the server's printout, the CLI's too. */
function renderPing(r: PingResponse): Node {
  return h('pre', { class: `ping-output ${r.received === 0 ? 'bad' : ''}` }, r.output.join('\n'));
}

/** Explain result: the fate of each copy, then every step with its rule, as a tree of copies (copy-tree.ts, like the event details and the CLI). */
export function renderExplain(r: ExplainJson): Node {
  const out = h('div', { class: 'explain' });
  const fates = h('ul', { class: 'fates' });
  for (const c of r.copies) {
    const tags = c.vlanStack.length === 0 ? 'untagged' : c.vlanStack.length === 1 ? `VLAN ${c.vlanStack[0]}` : `QinQ ${c.vlanStack.join('/')}`;
    fates.append(h('li', { class: c.delivered ? 'ok' : 'bad' }, c.delivered ? `✓ delivered to ${c.at} (${tags})` : `✕ dropped at ${c.at}: ${c.reason ?? ''}${c.rule ? ` (${c.rule})` : ''}`));
  }
  if (r.copies.length === 0) fates.append(h('li', { class: 'muted' }, 'no copy delivered or dropped'));
  const ol = h('ol', { class: 'trace tree-trace' });
  for (const row of copyTreeRows(copyTree(r.steps))) {
    const indent = `padding-left: ${row.depth * 16}px`;
    if (row.kind === 'copy') {
      ol.append(h('li', { class: 'copy-branch muted', style: indent, 'data-copy': row.node.copyId }, `${branchMark(row)} copy ${row.node.copyId} → ${r.steps[row.node.steps[0]!]!.port}`));
      continue;
    }
    const s = r.steps[row.index]!;
    ol.append(
      h(
        'li',
        { class: `a-${s.action}`, style: indent },
        h('span', { class: `rule-chip ${s.action === 'drop' ? 'bad' : ''}`, title: ruleTitle(s.rule, s.reason) }, s.rule ?? '·'),
        h('span', { class: 'tr-at' }, s.port),
        h('span', { class: 'tr-what' }, s.action),
        h('span', { class: 'tr-sum' }, withoutCitedRule(s.detail, s.rule) + (s.rule && ruleTitle(s.rule, s.reason) ? ` — ${ruleTitle(s.rule, s.reason)}` : '')),
      ),
    );
  }
  out.append(fates, ol);
  if (r.truncated) out.append(h('p', { class: 'bad' }, 'The dry run stopped at its event cap (a forwarding loop?).'));
  return out;
}
