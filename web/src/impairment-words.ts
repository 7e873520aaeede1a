/** A cable's impairments (rules L1–L4) in a few words, for the graph label and the context menu. */
import type { LinkDoc } from './model.js';

/** `loss 2% · 20±5 ms · dup 1% · 512 kbit/s`: a cable's faults in a few words (graph label, menu). */
export function impairmentWords(m: LinkDoc['impairments']): string {
  if (!m) return '';
  const parts: string[] = [];
  if (m.lossPercent > 0) parts.push(`loss ${m.lossPercent}%`);
  if (m.delayMs > 0 || m.jitterMs > 0) parts.push(`${m.delayMs}${m.jitterMs > 0 ? `±${m.jitterMs}` : ''} ms`);
  if (m.duplicatePercent > 0) parts.push(`dup ${m.duplicatePercent}%`);
  if (m.bandwidthKbps !== undefined) parts.push(`${m.bandwidthKbps} kbit/s`);
  return parts.join(' · ');
}
