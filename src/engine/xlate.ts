/**
 * Per-lab scratch state of the forwarding code (`Fabric.xlate`): the bytes made for the legs of
 * the frame being forwarded that need another tag state than it arrived with, shared by every
 * later leg of the same lookup. One record per lab, so no state is shared between labs.
 */
import type { Fabric } from './fabric.js';

export class Xlate {
  /** vSwitch: the bytes with the other tag state than the incoming frame's, made at the first leg that needs them (null: not yet) */
  conv: Uint8Array | null = null;
  /** physical switch: the bytes as they leave tagged / untagged, made at the first egress that needs them (null: not yet) */
  egTagged: Uint8Array | null = null;
  egUntagged: Uint8Array | null = null;

  constructor(readonly f: Fabric) {}
}
