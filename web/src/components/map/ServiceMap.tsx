// Draws a computed MapLayout as SVG. React draws; d3 only does zoom/pan (d3-zoom) and the width scale.
// Nodes are focusable buttons (Tab, Enter/Space opens the asset panel or expands a group).
import { useEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import { scaleLog, select, zoom, zoomIdentity, type ZoomBehavior } from 'd3';
import type { Edge } from '../../api/types';
import type { MapLayout, MapLink, MapNode, Region } from '../../layout/map-layout';
import { REGION_HEADER } from '../../layout/map-layout';
import { formatBytes, plural, truncate } from '../format';
import { ALERT, FONT, GROUP, JEWEL, MUTED, NODE, SELECTED, zoneStyle } from './map-style';

export interface LinkLook {
  stroke: string;
  dash: string | null;
  width: number;
  opacity?: number;
  /** Draw the warning halo and "!" marker. */
  alert?: boolean;
  /** Text drawn at the middle of the link (diff: "+120 %"). */
  badge?: string;
}

export interface HoverInfo<E extends Edge> {
  link: MapLink<E>;
  x: number;
  y: number;
}

export interface ServiceMapProps<E extends Edge> {
  layout: MapLayout<E>;
  look: (link: MapLink<E>, width: (bytes: number) => number) => LinkLook;
  selectedId: string | null;
  onActivate: (node: MapNode) => void;
  onHover: (h: HoverInfo<E> | null) => void;
  svgRef: RefObject<SVGSVGElement | null>;
  /** Accessible name of the map; also the exported file's title. */
  title: string;
  /** Zoom commands from the toolbar: bump the number to apply. */
  zoomCommand?: { kind: 'in' | 'out' | 'fit'; n: number };
}

const MARGIN = 40;
/** A white outline under label text keeps it readable where a link passes behind it. */
const HALO = { stroke: '#ffffff', strokeWidth: 3.5, strokeLinejoin: 'round', paintOrder: 'stroke' } as const;

/** The visible width of a link for its bytes: log scale, so a 1 kB edge is still visible next to 1 GB. */
export function widthScale(links: readonly { bytes: number }[]): (bytes: number) => number {
  const values = links.map((l) => Math.max(1, l.bytes));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (values.length === 0 || lo === hi) return () => 3;
  const s = scaleLog().domain([lo, hi]).range([1.5, 10]).clamp(true);
  return (b: number) => s(Math.max(1, b));
}

function RegionShape({ r }: { r: Region }) {
  const st = zoneStyle(r.kind);
  return (
    <g data-zone={r.zone} className="map-region">
      <rect x={r.x} y={r.y} width={r.w} height={r.h} rx={14} fill={st.fill} stroke={st.stroke} strokeWidth={1.5} strokeDasharray={st.dash ?? undefined} />
      <text x={r.x + 18} y={r.y + 27} fontSize={15} fontWeight={600} fill={st.ink}>
        {r.zone}
      </text>
      <text x={r.x + r.w - 18} y={r.y + 27} fontSize={11.5} textAnchor="end" fill={MUTED}>
        {`${r.kind} · ${plural(r.assets, 'host')}`}
      </text>
      {r.assets === 0 && (
        <text x={r.x + r.w / 2} y={r.y + REGION_HEADER + 34} fontSize={12} textAnchor="middle" fill={MUTED} fontStyle="italic">
          no traffic in view
        </text>
      )}
    </g>
  );
}

/** A shield with a crown: the crown-jewel shape (never only a colour). */
function JewelShape({ n, selected }: { n: MapNode; selected: boolean }) {
  const r = n.r;
  const shield = `M ${n.x} ${n.y - r} L ${n.x + r * 0.92} ${n.y - r * 0.62} L ${n.x + r * 0.92} ${n.y + r * 0.05} C ${n.x + r * 0.92} ${n.y + r * 0.62} ${n.x + r * 0.45} ${n.y + r * 0.95} ${n.x} ${n.y + r * 1.12} C ${n.x - r * 0.45} ${n.y + r * 0.95} ${n.x - r * 0.92} ${n.y + r * 0.62} ${n.x - r * 0.92} ${n.y + r * 0.05} L ${n.x - r * 0.92} ${n.y - r * 0.62} Z`;
  const c = r * 0.42;
  const crown = `M ${n.x - c} ${n.y + c * 0.55} L ${n.x - c} ${n.y - c * 0.45} L ${n.x - c * 0.5} ${n.y} L ${n.x} ${n.y - c * 0.8} L ${n.x + c * 0.5} ${n.y} L ${n.x + c} ${n.y - c * 0.45} L ${n.x + c} ${n.y + c * 0.55} Z`;
  return (
    <>
      <path className="focus-ring" d={shield} fill="none" stroke="none" strokeWidth={7} />
      <path d={shield} fill={JEWEL.fill} stroke={selected ? SELECTED : JEWEL.stroke} strokeWidth={selected ? 3.5 : 2.5} />
      <path d={crown} fill={JEWEL.stroke} />
    </>
  );
}

function NodeShape({ n, selected }: { n: MapNode; selected: boolean }) {
  if (n.jewel) return <JewelShape n={n} selected={selected} />;
  const stroke = selected ? SELECTED : n.kind === 'asset' ? NODE.stroke : GROUP.stroke;
  const sw = selected ? 3 : 1.6;
  if (n.kind === 'subnet' || n.kind === 'zone') {
    const s = n.r * 1.7;
    return (
      <>
        <rect className="focus-ring" x={n.x - s / 2 - 4} y={n.y - s / 2 - 4} width={s + 8} height={s + 8} rx={9} fill="none" stroke="none" strokeWidth={4} />
        <rect x={n.x - s / 2 + 5} y={n.y - s / 2 - 5} width={s} height={s} rx={7} fill={GROUP.fill} stroke={GROUP.stroke} strokeWidth={1.2} />
        <rect x={n.x - s / 2} y={n.y - s / 2} width={s} height={s} rx={7} fill={GROUP.fill} stroke={stroke} strokeWidth={sw} />
        <text x={n.x} y={n.y + 4.5} fontSize={12} fontWeight={700} textAnchor="middle" fill={GROUP.ink}>
          {n.members.length > 999 ? '999+' : n.members.length}
        </text>
      </>
    );
  }
  if (n.kind === 'rest') {
    return (
      <>
        <circle className="focus-ring" cx={n.x} cy={n.y} r={n.r + 5} fill="none" stroke="none" strokeWidth={4} />
        <circle cx={n.x} cy={n.y} r={n.r} fill={GROUP.fill} stroke={stroke} strokeWidth={sw} strokeDasharray="3 3" />
      </>
    );
  }
  return (
    <>
      <circle className="focus-ring" cx={n.x} cy={n.y} r={n.r + 5} fill="none" stroke="none" strokeWidth={4} />
      <circle cx={n.x} cy={n.y} r={n.r} fill={NODE.fill} stroke={stroke} strokeWidth={sw} />
      <rect x={n.x - 6} y={n.y - 6} width={12} height={9} rx={1.5} fill="none" stroke={NODE.stroke} strokeWidth={1.4} />
      <path d={`M ${n.x - 4} ${n.y + 6} H ${n.x + 4}`} stroke={NODE.stroke} strokeWidth={1.4} />
    </>
  );
}

function nodeDescription(n: MapNode): string {
  if (n.kind === 'asset') {
    const who = n.name ? `${n.name} (${n.ip})` : n.ip;
    return `${n.jewel ? `Crown jewel ${n.jewel}: ` : 'Asset '}${who}, zone ${n.zone}. Press Enter for details.`;
  }
  if (n.kind === 'rest') return `${n.label} in zone ${n.zone}`;
  return `Group ${n.label}, ${plural(n.members.length, 'host')} in zone ${n.zone}. Press Enter to expand.`;
}

function NodeView({ n, selected, onActivate }: { n: MapNode; selected: boolean; onActivate: (n: MapNode) => void }) {
  const activatable = n.kind === 'asset' || n.expandable;
  const labelY = n.y + n.r + (n.jewel ? 19 : 16);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onActivate(n);
    }
  };
  return (
    <g
      className={`map-node${activatable ? ' activatable' : ''}`}
      data-node={n.id}
      data-kind={n.kind}
      data-ip={n.ip ?? undefined}
      data-jewel={n.jewel ?? undefined}
      tabIndex={activatable ? 0 : undefined}
      role={activatable ? 'button' : 'img'}
      aria-label={nodeDescription(n)}
      aria-pressed={activatable && n.kind === 'asset' ? selected : undefined}
      onClick={activatable ? () => onActivate(n) : undefined}
      onKeyDown={activatable ? onKey : undefined}
    >
      <title>{nodeDescription(n)}</title>
      <NodeShape n={n} selected={selected} />
      <text x={n.x} y={labelY} fontSize={12.5} fontWeight={600} textAnchor="middle" fill={n.jewel ? JEWEL.ink : NODE.ink} {...HALO}>
        {truncate(n.label, 24)}
      </text>
      {n.sublabel && (
        <text x={n.x} y={labelY + 14} fontSize={11} textAnchor="middle" fill={MUTED} {...HALO}>
          {truncate(n.kind === 'asset' ? n.sublabel : `${n.sublabel}${n.expandable ? ' · open' : ''}`, 30)}
        </text>
      )}
      {n.jewel && (
        <text x={n.x} y={labelY + (n.sublabel ? 28 : 14)} fontSize={10.5} fontWeight={700} letterSpacing={0.4} textAnchor="middle" fill={JEWEL.stroke} {...HALO}>
          {truncate(`CROWN JEWEL · ${n.jewel}`, 30)}
        </text>
      )}
    </g>
  );
}

function markerId(stroke: string): string {
  return `arrow-${stroke.replace(/[^0-9a-z]/gi, '')}`;
}

export function ServiceMap<E extends Edge>(p: ServiceMapProps<E>) {
  const { layout } = p;
  const gRef = useRef<SVGGElement | null>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const width = useMemo(() => widthScale(layout.links), [layout.links]);
  const looks = useMemo(() => layout.links.map((l) => p.look(l, width)), [layout.links, width, p.look]);
  const strokes = useMemo(() => [...new Set(looks.map((l) => l.stroke))].sort(), [looks]);

  const fit = () => {
    const svg = p.svgRef.current;
    const z = zoomRef.current;
    if (!svg || !z) return;
    const { width: w, height: h } = svg.getBoundingClientRect();
    if (w === 0 || h === 0 || layout.width === 0) return;
    const k = Math.min((w - MARGIN) / layout.width, (h - MARGIN) / layout.height, 1.15);
    const t = zoomIdentity.translate((w - layout.width * k) / 2, (h - layout.height * k) / 2).scale(k);
    select(svg).call(z.transform, t);
  };

  useEffect(() => {
    const svg = p.svgRef.current;
    if (!svg) return;
    const z = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.15, 4])
      // Wheel and drag pan/zoom; double-click is left to the nodes.
      .filter((e: Event) => (e.type === 'wheel' || e.type === 'mousedown' || e.type === 'touchstart') && !(e as { button?: number }).button)
      .on('zoom', (e: { transform: { toString(): string } }) => {
        gRef.current?.setAttribute('transform', e.transform.toString());
      });
    zoomRef.current = z;
    select(svg).call(z);
    return () => {
      select(svg).on('.zoom', null);
    };
  }, [p.svgRef]);

  // Fit whenever the map's extent changes (new data, expand/collapse).
  useEffect(fit, [layout.width, layout.height]);

  useEffect(() => {
    const c = p.zoomCommand;
    const svg = p.svgRef.current;
    const z = zoomRef.current;
    if (!c || !svg || !z) return;
    if (c.kind === 'fit') fit();
    else select(svg).call(z.scaleBy, c.kind === 'in' ? 1.3 : 1 / 1.3);
  }, [p.zoomCommand?.n]);

  const hover = (link: MapLink<E>) => (e: MouseEvent) => {
    const box = p.svgRef.current?.getBoundingClientRect();
    p.onHover({ link, x: e.clientX - (box?.left ?? 0), y: e.clientY - (box?.top ?? 0) });
  };

  return (
    <svg
      ref={p.svgRef}
      className="service-map"
      role="group"
      aria-label={p.title}
      fontFamily={FONT}
      data-level={layout.level}
      data-width={layout.width}
      data-height={layout.height}
    >
      <title>{p.title}</title>
      <defs>
        {strokes.map((s) => (
          <marker key={s} id={markerId(s)} viewBox="0 0 10 10" refX={8} refY={5} markerWidth={9} markerHeight={9} markerUnits="userSpaceOnUse" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill={s} />
          </marker>
        ))}
      </defs>
      <g ref={gRef} className="map-content">
        <g className="regions">
          {layout.regions.map((r) => (
            <RegionShape key={r.zone} r={r} />
          ))}
        </g>
        <g className="links" fill="none">
          {layout.links.map((l, i) => {
            const look = looks[i]!;
            return (
              <g
                key={l.id}
                className="map-link"
                data-link={l.id}
                data-src={l.source}
                data-dst={l.target}
                data-edges={l.edges.length}
                data-security={l.security}
                data-alert={look.alert ? 'true' : undefined}
                onMouseMove={hover(l)}
                onMouseLeave={() => p.onHover(null)}
              >
                {look.alert && <path d={l.path} stroke={ALERT} strokeOpacity={0.16} strokeWidth={look.width + 9} strokeLinecap="round" />}
                <path
                  d={l.path}
                  stroke={look.stroke}
                  strokeWidth={look.width}
                  strokeDasharray={look.dash ?? undefined}
                  strokeOpacity={look.opacity ?? 0.9}
                  strokeLinecap={look.dash === '2 4' ? 'round' : 'butt'}
                  markerEnd={`url(#${markerId(look.stroke)})`}
                />
                <path d={l.path} stroke="transparent" strokeWidth={Math.max(12, look.width + 8)} pointerEvents="stroke" />
                {look.alert && (
                  <g pointerEvents="none">
                    <circle cx={l.mid.x} cy={l.mid.y} r={8.5} fill={ALERT} stroke="#fff" strokeWidth={1.5} />
                    <text x={l.mid.x} y={l.mid.y + 4} fontSize={12} fontWeight={800} textAnchor="middle" fill="#fff">
                      !
                    </text>
                  </g>
                )}
                {look.badge && (
                  <text x={l.mid.x} y={l.mid.y - 6} fontSize={11} fontWeight={600} textAnchor="middle" fill={look.stroke} stroke="#fff" strokeWidth={3} paintOrder="stroke">
                    {look.badge}
                  </text>
                )}
              </g>
            );
          })}
        </g>
        <g className="nodes">
          {layout.nodes.map((n) => (
            <NodeView key={n.id} n={n} selected={p.selectedId === n.id} onActivate={p.onActivate} />
          ))}
        </g>
      </g>
    </svg>
  );
}

/** A one-line summary of a link for tooltips and screen readers. */
export function linkSummary<E extends Edge>(l: MapLink<E>): string {
  return `${plural(l.edges.length, 'edge')}, ${plural(l.flows, 'flow')}, ${formatBytes(l.bytes)}`;
}
