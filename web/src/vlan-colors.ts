/**
 * One colour per VLAN, the same in the graph, the legend, the event list and the packet tokens.
 * VLAN 0 (untagged, EST) is grey and 4095 (trunk, VGT) is a striped dark; others get a colour
 * from a palette chosen for contrast on white, stable for a given VLAN ID.
 */
const PALETTE = [
  '#1f77b4',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#3b5bdb',
  '#0b7285',
  '#c2255c',
  '#5f3dc4',
  '#e8590c',
  '#2b8a3e',
  '#a61e4d',
];

export const UNTAGGED_COLOUR = '#868e96';
export const TRUNK_COLOUR = '#343a40';

export function vlanColour(vlan: number | null | undefined): string {
  if (vlan === null || vlan === undefined || vlan === 0) return UNTAGGED_COLOUR;
  if (vlan === 4095) return TRUNK_COLOUR;
  // spread neighbouring IDs (10, 20, 30 ...) over the palette
  const i = Math.imul(vlan, 2654435761) >>> 0;
  return PALETTE[(i >>> 8) % PALETTE.length]!;
}

export function vlanLabel(vlan: number): string {
  if (vlan === 0) return 'VLAN 0 (untagged)';
  if (vlan === 4095) return 'VLAN 4095 (trunk)';
  return `VLAN ${vlan}`;
}
