/**
 * Runtime actions: the controls that change the running lab (not the topology file) — a cable
 * down or up, a vNIC disconnected or connected, a port group's VLAN ID and security policy, a VM
 * migrated to another host (E3). Every one is one `POST /api/changes` with one change; the server
 * applies it atomically or refuses it with the engine's reason (409: nothing changed). The answer
 * is shown next to the control that asked (and kept there when the panel redraws); the new
 * topology itself arrives over socket.io like any other update, for every open page.
 */
import { api, ApiFailure } from './api.js';
import { h } from './dom.js';
import type { AcceptReject, PolicyPatch, RuntimeChange } from './model.js';

export type ChangeOutcome = { ok: true; rarps: number } | { ok: false; status: number; message: string };

/** A change in words, for the status line and the toast of other pages' changes. */
export function describeChange(c: RuntimeChange): string {
  switch (c.kind) {
    case 'link':
      return `link ${c.iface} ${c.up ? 'up' : 'down'}`;
    case 'link-impairments':
      return c.impairments === null ? `cable at ${c.iface}: impairments removed` : `cable at ${c.iface} impaired`;
    case 'vnic-connect':
      return `${c.iface} ${c.connected ? 'connected' : 'disconnected'}`;
    case 'effective-mac':
      return `${c.iface} now sends as ${c.mac}`;
    case 'multicast':
      return c.groups.length === 0 ? `${c.iface} left every multicast group` : `${c.iface} multicast filter: ${c.groups.join(', ')}`;
    case 'portgroup': {
      const parts: string[] = [];
      if (c.vlan !== undefined) parts.push(`VLAN ${c.vlan}`);
      for (const [k, v] of Object.entries(c.policy?.security ?? {})) parts.push(`${SECURITY_LABEL[k as SecurityKey] ?? k} ${v === null ? 'inherited' : v === 'accept' ? 'Accept' : 'Reject'}`);
      if (c.policy?.teaming !== undefined || c.policy?.shaping !== undefined) parts.push('policy');
      return `port group "${c.portGroup}" on ${c.host}: ${parts.join(', ')}`;
    }
    case 'vswitch-policy':
      return `policy of ${c.host} / ${c.vswitch}`;
    case 'uplink-add':
      return `${c.uplink} added to ${c.host} / ${c.vswitch}`;
    case 'uplink-remove':
      return `${c.uplink} removed from ${c.host} / ${c.vswitch}`;
    case 'migrate':
      return `vMotion ${c.vm} → ${c.toHost}`;
  }
}

/** The server's refusal as one line: its message, plus the fields a 400 names. */
export function failureText(err: unknown): string {
  if (!(err instanceof ApiFailure)) return err instanceof Error ? err.message : String(err);
  const d = err.body.details as { issues?: Array<{ path: string; message: string }> } | undefined;
  const issues = Array.isArray(d?.issues) ? d.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)) : [];
  return issues.length > 0 ? `${err.body.error} — ${issues.join('; ')}` : err.body.error;
}

export type SecurityKey = 'promiscuous' | 'macChanges' | 'forgedTransmits';
export const SECURITY_KEYS: readonly SecurityKey[] = ['promiscuous', 'macChanges', 'forgedTransmits'];
export const SECURITY_LABEL: Record<SecurityKey, string> = {
  promiscuous: 'Promiscuous mode (S1)',
  macChanges: 'MAC address changes (S2)',
  forgedTransmits: 'Forged transmits (S3)',
};

export class RuntimeActions {
  /** last outcome of each control (by key), shown again when the panel is redrawn */
  private readonly outcomes = new Map<string, { ok: boolean; text: string }>();
  private readonly statusEls = new Map<string, HTMLElement>();
  /** changes this page asked for recently (JSON -> when), to tell them from other pages' changes */
  private readonly own = new Map<string, number>();

  /** Did this page ask for this change (in the last 10 s)? Each request is claimed once. */
  isOwn(c: RuntimeChange): boolean {
    const k = JSON.stringify(c);
    const at = this.own.get(k);
    if (at === undefined) return false;
    this.own.delete(k);
    return performance.now() - at < 10_000;
  }

  /** A new topology was loaded: earlier outcomes no longer apply. */
  forget(): void {
    this.outcomes.clear();
  }

  /** The status line of a control: `id` for tests and aria-describedby; `key` names the action. */
  status(key: string, id: string): HTMLElement {
    const el = h('span', { class: 'action-status', id, 'data-for': key, role: 'status', 'aria-live': 'polite' });
    this.statusEls.set(key, el);
    this.paint(key);
    return el;
  }

  private paint(key: string): void {
    const el = this.statusEls.get(key);
    const o = this.outcomes.get(key);
    if (!el) return;
    el.textContent = o ? o.text : '';
    el.classList.toggle('bad', o !== undefined && !o.ok);
    el.classList.toggle('ok', o !== undefined && o.ok);
  }

  private say(key: string, ok: boolean, text: string): void {
    this.outcomes.set(key, { ok, text });
    this.paint(key);
  }

  /** Sends one change; the outcome goes to the status line of `key`. */
  async apply(key: string, change: RuntimeChange, busy?: HTMLButtonElement): Promise<ChangeOutcome> {
    if (busy) busy.disabled = true;
    this.say(key, true, 'applying…');
    if (this.own.size > 50) this.own.clear();
    this.own.set(JSON.stringify(change), performance.now());
    try {
      const r = await api.change(change);
      this.say(key, true, `✓ ${describeChange(change)}${r.rarps > 0 ? ` · ${r.rarps} RARP${r.rarps === 1 ? '' : 's'} sent (T7)` : ''}`);
      return { ok: true, rarps: r.rarps };
    } catch (err) {
      const message = failureText(err);
      this.say(key, false, `✕ ${message}`);
      return { ok: false, status: err instanceof ApiFailure ? err.status : 0, message };
    } finally {
      if (busy) busy.disabled = false;
    }
  }

  /** A local refusal (bad input caught before asking the server). */
  refuse(key: string, message: string): void {
    this.say(key, false, `✕ ${message}`);
  }

  // --- controls ------------------------------------------------------------------------------

  /** "Take link down" / "Bring link up" for a cabled interface (either end of the cable). */
  linkButton(iface: string, up: boolean, label = ''): HTMLElement {
    const key = `link:${iface}`;
    const btn = h(
      'button',
      { type: 'button', 'data-action': 'link', 'data-iface': iface, 'data-up': String(up), title: `The cable of ${iface} (both ends)` },
      `${up ? 'Take link down' : 'Bring link up'}${label ? ` (${label})` : ''}`,
    );
    btn.addEventListener('click', () => void this.apply(key, { kind: 'link', iface, up: !up }, btn));
    return h('div', { class: 'action-row' }, btn, this.status(key, `status-${slug(key)}`));
  }

  /** "Disconnect" / "Connect" a VM's vNIC. */
  vnicButton(iface: string, connected: boolean): HTMLElement {
    const key = `vnic:${iface}`;
    const btn = h('button', { type: 'button', 'data-action': 'vnic', 'data-iface': iface, 'data-connected': String(connected) }, `${connected ? 'Disconnect' : 'Connect'} ${iface}`);
    btn.addEventListener('click', () => void this.apply(key, { kind: 'vnic-connect', iface, connected: !connected }, btn));
    return h('div', { class: 'action-row' }, btn, this.status(key, `status-${slug(key)}`));
  }

  /** Port group: VLAN ID (0 untagged, 1–4094 VST, 4095 trunk). */
  vlanEditor(host: string, portGroup: string, vlan: number): HTMLElement {
    const key = `pg-vlan:${host}/${portGroup}`;
    const input = h('input', { id: 'pg-vlan', type: 'number', min: 0, max: 4095, step: 1, value: vlan, 'aria-describedby': 'pg-vlan-status', autocomplete: 'off' });
    const btn = h('button', { type: 'button', id: 'pg-vlan-apply' }, 'Set VLAN ID');
    const go = (): void => {
      const text = input.value.trim();
      if (text === '' || !/^\d+$/.test(text)) {
        this.refuse(key, 'VLAN ID: a whole number 0–4095 (0 untagged, 4095 trunk)');
        input.setAttribute('aria-invalid', 'true');
        return;
      }
      input.removeAttribute('aria-invalid');
      void this.apply(key, { kind: 'portgroup', host, portGroup, vlan: Number(text) }, btn).then((o) => {
        if (!o.ok) input.setAttribute('aria-invalid', 'true');
      });
    };
    btn.addEventListener('click', go);
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') go();
    });
    return h(
      'div',
      { class: 'field action-field' },
      h('label', { for: 'pg-vlan' }, 'VLAN ID'),
      h('div', { class: 'action-row' }, input, btn),
      h('div', { class: 'hint' }, '0 untagged (EST), 1–4094 the vSwitch tags (VST), 4095 the guest tags (VGT).'),
      this.status(key, 'pg-vlan-status'),
    );
  }

  /**
   * Port group: security overrides. Each select: Inherit (remove the override: the vSwitch's value
   * applies), Accept or Reject. `inherited` fills in what "Inherit" currently means, when known.
   */
  securityEditor(
    host: string,
    portGroup: string,
    overrides: Partial<Record<SecurityKey, AcceptReject>>,
  ): { root: HTMLElement; setInherited(v: Partial<Record<SecurityKey, { value: AcceptReject; from: string }>>): void } {
    const key = `pg-security:${host}/${portGroup}`;
    const selects = new Map<SecurityKey, HTMLSelectElement>();
    const rows: HTMLElement[] = [];
    for (const k of SECURITY_KEYS) {
      const sel = h(
        'select',
        { id: `pg-sec-${k}`, 'data-security': k },
        h('option', { value: 'inherit' }, 'Inherit'),
        h('option', { value: 'accept' }, 'Accept'),
        h('option', { value: 'reject' }, 'Reject'),
      );
      sel.value = overrides[k] ?? 'inherit';
      selects.set(k, sel);
      rows.push(h('div', { class: 'field sec-field' }, h('label', { for: `pg-sec-${k}` }, SECURITY_LABEL[k]), sel));
    }
    const btn = h('button', { type: 'button', id: 'pg-security-apply' }, 'Apply security');
    btn.addEventListener('click', () => {
      const security: NonNullable<PolicyPatch['security']> = {};
      let any = false;
      for (const k of SECURITY_KEYS) {
        const v = selects.get(k)!.value;
        const want = v === 'inherit' ? undefined : (v as AcceptReject);
        if (want === overrides[k]) continue;
        security[k] = want ?? null;
        any = true;
      }
      if (!any) {
        this.refuse(key, 'nothing to change: pick Accept, Reject or Inherit first');
        return;
      }
      void this.apply(key, { kind: 'portgroup', host, portGroup, policy: { security } }, btn);
    });
    const root = h(
      'fieldset',
      { class: 'action-fieldset', id: 'pg-security' },
      h('legend', {}, 'Security (override or inherit)'),
      ...rows,
      h('div', { class: 'action-row' }, btn),
      this.status(key, 'pg-security-status'),
    );
    return {
      root,
      setInherited: (v) => {
        for (const k of SECURITY_KEYS) {
          const i = v[k];
          const opt = selects.get(k)!.options[0]!;
          opt.textContent = i ? `Inherit (${i.value === 'accept' ? 'Accept' : 'Reject'}, ${i.from})` : 'Inherit';
        }
      },
    };
  }

  /** VM: "Migrate to…" another ESXi host (vMotion, E3), from the keyboard. */
  migrateControl(vm: string, currentHost: string, hosts: readonly string[]): HTMLElement {
    const key = `migrate:${vm}`;
    const others = hosts.filter((x) => x !== currentHost);
    const sel = h('select', { id: 'migrate-to', 'aria-describedby': 'migrate-status' }, ...others.map((x) => h('option', { value: x }, x)));
    const btn = h('button', { type: 'button', id: 'migrate-button', disabled: others.length === 0 }, 'Migrate');
    btn.addEventListener('click', () => {
      if (!sel.value) return;
      void this.apply(key, { kind: 'migrate', vm, toHost: sel.value }, btn);
    });
    return h(
      'div',
      { class: 'field action-field' },
      h('label', { for: 'migrate-to' }, `Migrate ${vm} to… (vMotion, E3)`),
      others.length === 0 ? h('div', { class: 'hint' }, 'There is no other ESXi host in this lab.') : h('div', { class: 'action-row' }, sel, btn),
      h('div', { class: 'hint' }, 'Or drag the VM onto another host on the graph.'),
      this.status(key, 'migrate-status'),
    );
  }

  /** Outcome of an action started elsewhere (drag and drop), under the same key as its control. */
  migrateKey(vm: string): string {
    return `migrate:${vm}`;
  }
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]+/g, '-');
}
