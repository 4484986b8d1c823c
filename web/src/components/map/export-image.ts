// Map export: the drawn SVG as a standalone file (whole map, no zoom, a legend below it), and a PNG made
// from that SVG through an <img> and a canvas (drawImage), at 2× for print.
import type { Security } from '../../layout/security';
import { SECURITY_LABELS, SECURITY_CLASSES } from '../../layout/security';
import { FONT, INK, JEWEL, MUTED, SECURITY_STYLE, type LineStyle } from './map-style';

const NS = 'http://www.w3.org/2000/svg';
const PAD = 32;
const LEGEND_H = 86;

export interface LegendEntry {
  style: LineStyle;
  label: string;
}

export const SECURITY_LEGEND: LegendEntry[] = SECURITY_CLASSES.map((c: Security) => ({ style: SECURITY_STYLE[c], label: SECURITY_LABELS[c] }));

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A standalone copy of the map: the content un-zoomed, sized to the layout, with title and legend. */
export function standaloneSvg(svg: SVGSVGElement, o: { width: number; height: number; title: string; legend: LegendEntry[] }): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const content = clone.querySelector('.map-content');
  content?.setAttribute('transform', `translate(${PAD} ${PAD + 30})`);
  // Focus rings are screen-only.
  clone.querySelectorAll('.focus-ring').forEach((n) => n.remove());
  const w = Math.max(o.width, 760) + 2 * PAD;
  const h = o.height + 2 * PAD + 30 + LEGEND_H;
  clone.setAttribute('xmlns', NS);
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  clone.setAttribute('viewBox', `0 0 ${w} ${h}`);
  clone.removeAttribute('class');
  clone.removeAttribute('style');
  clone.insertBefore(el('rect', { x: 0, y: 0, width: w, height: h, fill: '#ffffff' }), clone.firstChild);
  clone.appendChild(el('text', { x: PAD, y: PAD + 8, 'font-size': 18, 'font-weight': 600, fill: INK, 'font-family': FONT }, o.title));

  const legend = el('g', { transform: `translate(${PAD} ${PAD + 30 + o.height + 28})`, 'font-family': FONT, 'font-size': 12, fill: INK });
  o.legend.forEach((entry, i) => {
    const x = (i % 2) * 380;
    const y = Math.floor(i / 2) * 22;
    const line = el('line', { x1: x, y1: y, x2: x + 44, y2: y, stroke: entry.style.stroke, 'stroke-width': 3 });
    if (entry.style.dash) line.setAttribute('stroke-dasharray', entry.style.dash);
    legend.appendChild(line);
    legend.appendChild(el('text', { x: x + 54, y: y + 4 }, `${entry.label} (${entry.style.label})`));
  });
  const y2 = Math.ceil(o.legend.length / 2) * 22 + 6;
  legend.appendChild(el('path', { d: `M 6 ${y2 - 8} L 14 ${y2 - 4} L 14 ${y2 + 2} C 14 ${y2 + 7} 10 ${y2 + 9} 6 ${y2 + 11} C 2 ${y2 + 9} -2 ${y2 + 7} -2 ${y2 + 2} L -2 ${y2 - 4} Z`, fill: JEWEL.fill, stroke: JEWEL.stroke, 'stroke-width': 1.5 }));
  legend.appendChild(el('text', { x: 24, y: y2 + 5, fill: MUTED }, 'Shield = crown jewel · line width = bytes (log scale) · ! = cleartext or unauthenticated into a crown jewel'));
  clone.appendChild(legend);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

export function svgBlob(text: string): Blob {
  return new Blob([text], { type: 'image/svg+xml;charset=utf-8' });
}

/** Renders SVG text to a PNG: SVG → <img> (blob URL) → canvas.drawImage → PNG blob. */
export async function pngBlob(svgText: string, scale = 2): Promise<Blob> {
  const url = URL.createObjectURL(svgBlob(svgText));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the browser could not render the map as an image'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(img.naturalWidth * scale);
    canvas.height = Math.ceil(img.naturalHeight * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas in this browser');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded as PNG'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
