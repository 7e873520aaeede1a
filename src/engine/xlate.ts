/**
 * The translation context of one frame through a switch (Open vSwitch's `xlate_ctx`): the frame
 * being forwarded, where it came from, its VLAN and tag state, its copy numbers, and the bytes
 * made for legs that need the other tag state. One record per lab (`Fabric.xlate`), allocated
 * once and reset per frame, so the per-frame path neither allocates it nor passes ten arguments
 * from call to call, and no state is shared between labs.
 *
 * A lookup never starts another before it returns (stacks answer through the event queue); should
 * one ever do, `takeXlate` gives the inner lookup a record of its own instead of overwriting the
 * outer one's.
 */
import type { Fabric } from './fabric.js';
import type { Iface, VSwitchRt } from './model.js';

const EMPTY = new Uint8Array(0);

export class Xlate {
  /** a lookup is using this record */
  busy = false;
  /** the vSwitch forwarding the frame (vswitch.ts) */
  vs: VSwitchRt | null = null;
  /** the vNIC or vmk that sent it, or null (exactly one of `src` and `uplink` is set) */
  src: Iface | null = null;
  /** the uplink it arrived on, or null */
  uplink: Iface | null = null;
  /** `src ?? uplink` (a physical switch: its ingress port) */
  at: Iface | null = null;
  frame: Uint8Array = EMPTY;
  /** VLAN inside the switch (0 = the untagged domain) */
  vlan = 0;
  /** the bytes carry the VLAN's tag */
  tagged = false;
  /** the tag state classification found (TAG_NONE, TAG_KEEP, TAG_PRIORITY; physical-switch.ts) */
  state = 0;
  fid = 0;
  /** the incoming copy: the parent of every leg */
  cid = 0;
  /** the incoming copy's parent */
  parent = 0;
  /** vSwitch: the bytes with the other tag state than `tagged`, made at the first leg that needs them (null: not yet) */
  conv: Uint8Array | null = null;
  /** physical switch: the bytes as they leave tagged / untagged, made at the first egress that needs them (null: not yet) */
  egTagged: Uint8Array | null = null;
  egUntagged: Uint8Array | null = null;

  constructor(readonly f: Fabric) {}
}

/** The lab's record for a new frame (a fresh one if a lookup is already under way); give it back with `x.busy = false`. */
export function takeXlate(f: Fabric): Xlate {
  let x = f.xlate;
  if (x.busy) x = new Xlate(f);
  x.busy = true;
  x.conv = null;
  x.egTagged = null;
  x.egUntagged = null;
  return x;
}
