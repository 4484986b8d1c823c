// The map: zones as regions, assets as nodes, boundary-crossing edges (all edges on request).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../api/endpoints';
import type { Edge } from '../../api/types';
import { computeLayout, type MapLink, type MapNode } from '../../layout/map-layout';
import { useQuery } from '../../state/useQuery';
import { AssetPanel } from '../map/AssetPanel';
import { EdgeTooltip } from '../map/EdgeTooltip';
import { pngBlob, saveBlob, SECURITY_LEGEND, standaloneSvg, svgBlob } from '../map/export-image';
import { Legend } from '../map/Legend';
import { SECURITY_STYLE } from '../map/map-style';
import { ServiceMap, type HoverInfo, type LinkLook } from '../map/ServiceMap';
import { Link } from '../Link';
import { EmptyNote, EmptyStore, ErrorNotice, Loading } from '../Notices';
import type { PageProps } from '../Shell';
import { storeIsEmpty, useStoreInfo } from '../StoreInfo';
import { formatRange, formatTime, plural } from '../format';

const EDGE_LIMIT = 5000;

function look(l: MapLink, width: (b: number) => number): LinkLook {
  const s = SECURITY_STYLE[l.security];
  return { stroke: s.stroke, dash: s.dash, width: width(l.bytes), alert: l.alert };
}

export function MapPage(p: PageProps) {
  const { view, update, range, refresh } = p;
  const store = useStoreInfo();
  const [changes, setChanges] = useState(0);
  const filters = { zone: view.zone ?? undefined, port: view.port ?? undefined, app: view.app ?? undefined, auth: view.auth ?? undefined, proto: view.proto ?? undefined };
  const edgeKey = JSON.stringify({ range, all: view.all, filters, refresh, changes });
  const edges = useQuery(`edges:${edgeKey}`, (signal) => api.edges({ ...range, crossing: !view.all, ...filters, limit: EDGE_LIMIT }, signal));
  const zones = useQuery(`zones:${refresh}:${changes}`, () => api.zones());
  const jewels = useQuery(`jewels:${refresh}:${changes}`, () => api.crownJewels());

  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const [hover, setHover] = useState<HoverInfo<Edge> | null>(null);
  const [zoomCommand, setZoomCommand] = useState<{ kind: 'in' | 'out' | 'fit'; n: number }>();
  const [exportError, setExportError] = useState<string | null>(null);
  const svgRef = useRef<SVGSVGElement | null>(null);

  const filtered = Boolean(view.zone || view.port || view.app || view.auth || view.proto);
  const layout = useMemo(
    () =>
      edges.data
        ? computeLayout({ zones: filtered ? [] : (zones.data ?? []), edges: edges.data.edges, expanded })
        : null,
    [edges.data, zones.data, expanded, filtered],
  );
  const nodesById = useMemo(() => new Map((layout?.nodes ?? []).map((n) => [n.id, n])), [layout]);
  const selectedNode = selected ? nodesById.get(selected) : undefined;

  // A selection that is no longer drawn (range or filter changed) closes the panel.
  useEffect(() => {
    if (selected && layout && !nodesById.has(selected)) setSelected(null);
  }, [layout, nodesById, selected]);

  const onActivate = useCallback((n: MapNode) => {
    if (n.kind === 'asset') setSelected((s) => (s === n.id ? null : n.id));
    else if (n.expandable) setExpanded((e) => new Set([...e, n.id]));
  }, []);

  const title = `Trust-boundary map · ${formatRange(range)} · ${view.all ? 'all edges' : 'boundary-crossing edges'}`;
  const fileStem = `surfacemap-map-${range.to.slice(0, 10)}`;
  const exportSvg = () => {
    if (!svgRef.current || !layout) return;
    setExportError(null);
    const text = standaloneSvg(svgRef.current, { width: layout.width, height: layout.height, title, legend: SECURITY_LEGEND });
    saveBlob(svgBlob(text), `${fileStem}.svg`);
  };
  const exportPng = async () => {
    if (!svgRef.current || !layout) return;
    setExportError(null);
    try {
      const text = standaloneSvg(svgRef.current, { width: layout.width, height: layout.height, title, legend: SECURITY_LEGEND });
      saveBlob(await pngBlob(text), `${fileStem}.png`);
    } catch (err) {
      setExportError(err instanceof Error ? err.message : String(err));
    }
  };

  if (edges.error) return <ErrorNotice error={edges.error} what="the map's edges" onRetry={edges.reload} />;
  if (storeIsEmpty(store)) return <EmptyStore />;
  if (!edges.data || !layout) return <Loading what="the map" />;

  const data = edges.data;
  const assets = new Set(data.edges.flatMap((e) => [e.src, e.dst])).size;
  const toggle = (
    <label className="switch">
      <input type="checkbox" role="switch" checked={view.all} onChange={(e) => update({ all: e.target.checked })} />
      <span>Show all edges</span>
    </label>
  );

  if (data.edges.length === 0) {
    const t = store.stats?.totals;
    const outside = t && t.flows > 0 && t.first_seen && t.last_seen && (t.last_seen < range.from || t.first_seen > range.to);
    return (
      <>
        <div className="toolbar">{toggle}</div>
        <EmptyNote title={view.all ? 'No traffic in this view' : 'No boundary-crossing edges in this view'}>
          <p>
            Nothing {view.all ? '' : 'crossed a trust boundary '}between {formatRange(range)}
            {filtered ? ' with these filters' : ''}.
          </p>
          <ul>
            {outside && (
              <li>
                The store holds flows from {formatTime(t.first_seen)} to {formatTime(t.last_seen)}.{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() =>
                    update({
                      range: 'custom',
                      from: new Date(Math.floor(Date.parse(t.first_seen!) / 3_600_000) * 3_600_000).toISOString(),
                      to: new Date(Math.ceil((Date.parse(t.last_seen!) + 1) / 3_600_000) * 3_600_000).toISOString(),
                    })
                  }
                >
                  Show that range
                </button>
              </li>
            )}
            {filtered && <li>Clear the filters above to see everything in this range.</li>}
            {!view.all && (
              <li>
                Without declared zones every private address is in <code>unassigned</code>: declare your trust zones on the{' '}
                <Link href={p.hrefFor({ page: 'zones' })}>Zones page</Link>, or switch on <strong>Show all edges</strong>.
              </li>
            )}
          </ul>
        </EmptyNote>
      </>
    );
  }

  const alerts = layout.links.filter((l) => l.alert).length;
  return (
    <div className="map-page">
      <div className="toolbar">
        {toggle}
        <p className="summary" data-testid="map-summary">
          {plural(data.edges.length, view.all ? 'edge' : 'crossing edge')} between {plural(assets, 'asset')}
          {data.total > data.edges.length && ` (the largest ${data.edges.length} of ${data.total})`}
          {layout.level !== 'asset' && ` · grouped by ${layout.level} (select a group to open it)`}
          {alerts > 0 && (
            <span className="alert-count">
              {' '}
              · <strong>{plural(alerts, 'weak link')} into crown jewels</strong>
            </span>
          )}
        </p>
        <div className="toolbar-actions">
          {expanded.size > 0 && (
            <button type="button" onClick={() => setExpanded(new Set())}>
              Regroup
            </button>
          )}
          <div className="button-group" role="group" aria-label="Zoom">
            <button type="button" onClick={() => setZoomCommand((c) => ({ kind: 'in', n: (c?.n ?? 0) + 1 }))} aria-label="Zoom in">
              +
            </button>
            <button type="button" onClick={() => setZoomCommand((c) => ({ kind: 'out', n: (c?.n ?? 0) + 1 }))} aria-label="Zoom out">
              −
            </button>
            <button type="button" onClick={() => setZoomCommand((c) => ({ kind: 'fit', n: (c?.n ?? 0) + 1 }))}>
              Fit
            </button>
          </div>
          <div className="button-group" role="group" aria-label="Export the map">
            <button type="button" onClick={exportSvg}>
              Export SVG
            </button>
            <button type="button" onClick={exportPng}>
              Export PNG
            </button>
          </div>
        </div>
      </div>
      {exportError && (
        <p className="field-error" role="alert">
          Export failed: {exportError}
        </p>
      )}
      {zones.error && (
        <p className="notice-inline" role="status">
          Zones could not be loaded ({zones.error.message}); regions show the zones the edges name.
        </p>
      )}
      <div className="map-frame">
        <ServiceMap
          layout={layout}
          look={look}
          selectedId={selected}
          onActivate={onActivate}
          onHover={setHover}
          svgRef={svgRef}
          title={title}
          zoomCommand={zoomCommand}
        />
        {hover && <EdgeTooltip link={hover.link} x={hover.x} y={hover.y} nodes={nodesById} />}
        {selectedNode && selectedNode.ip && (
          <AssetPanel
            node={selectedNode}
            range={range}
            jewels={jewels.data ?? []}
            refresh={refresh + changes}
            onClose={() => setSelected(null)}
            onChanged={() => {
              setChanges((c) => c + 1);
              store.reload();
            }}
          />
        )}
      </div>
      <Legend />
    </div>
  );
}
