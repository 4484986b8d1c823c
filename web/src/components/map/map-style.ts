// The map's visual vocabulary. Colours are set as SVG presentation attributes (not CSS classes) so an
// exported SVG/PNG looks the same as the screen. Every colour has a second signal: a dash pattern for
// links, a shape and a label for nodes.
import type { Security } from '../../layout/security';

export const FONT = 'Inter, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", Arial, sans-serif';

export const INK = '#1d2430';
export const MUTED = '#5b6574';

export interface LineStyle {
  stroke: string;
  dash: string | null;
  label: string;
}

export const SECURITY_STYLE: Record<Security, LineStyle> = {
  encrypted: { stroke: '#2f7d62', dash: null, label: 'solid' },
  plaintext: { stroke: '#c07a12', dash: '8 5', label: 'dashed' },
  unauthenticated: { stroke: '#c2362f', dash: '2 4', label: 'dotted' },
  unknown: { stroke: '#8a94a3', dash: '12 4 2 4', label: 'dash-dot' },
};

export const ALERT = '#c2362f';

export type DiffStatus = 'new' | 'gone' | 'changed' | 'same';
export const DIFF_STYLE: Record<DiffStatus, LineStyle> = {
  new: { stroke: '#2e9a4a', dash: null, label: 'solid green' },
  gone: { stroke: '#9aa3ad', dash: '7 6', label: 'grey dashed' },
  changed: { stroke: '#2f5aa8', dash: null, label: 'solid blue' },
  same: { stroke: '#c8ced6', dash: null, label: 'thin grey' },
};

export interface ZoneStyle {
  fill: string;
  stroke: string;
  dash: string | null;
  ink: string;
}

const ZONE_STYLES: Record<string, ZoneStyle> = {
  internet: { fill: '#f3f4f6', stroke: '#cdd2da', dash: null, ink: '#4b5563' },
  external: { fill: '#f3f4f6', stroke: '#cdd2da', dash: null, ink: '#4b5563' },
  partner: { fill: '#f3f0fa', stroke: '#d3cbed', dash: null, ink: '#4c3d80' },
  dmz: { fill: '#fdf5e9', stroke: '#ecd6b0', dash: null, ink: '#7a5212' },
  cloud: { fill: '#edf6fb', stroke: '#c4def0', dash: null, ink: '#1f5a7a' },
  internal: { fill: '#eef3fb', stroke: '#cad7ee', dash: null, ink: '#1f3b6e' },
  management: { fill: '#ecf6f1', stroke: '#c2e0d2', dash: null, ink: '#1e5c44' },
  unassigned: { fill: '#fafafa', stroke: '#c9ced6', dash: '6 5', ink: '#5b6574' },
};

export function zoneStyle(kind: string): ZoneStyle {
  return ZONE_STYLES[kind] ?? { fill: '#f4f6f9', stroke: '#d0d6df', dash: null, ink: '#374151' };
}

export const JEWEL = { fill: '#fff5d6', stroke: '#a8740a', ink: '#7a5406' };
export const NODE = { fill: '#ffffff', stroke: '#55627a', ink: INK };
export const GROUP = { fill: '#eef1f6', stroke: '#6b7a90', ink: INK };
export const SELECTED = '#2f5aa8';
