// Sprint snapshots: save the current range's edges under a name, list them, and compare two (or one
// against now): new edges green and solid, gone edges grey and dashed, changed volume in blue; new
// edges into crown jewels listed first.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { Edge, Snapshot, SnapshotDiff } from '../../api/types';
import { computeLayout, type MapLink, type MapNode, type ZoneSpec } from '../../layout/map-layout';
import { useQuery } from '../../state/useQuery';
import { EdgeTooltip } from '../map/EdgeTooltip';
import { Legend, LineSample } from '../map/Legend';
import { DIFF_STYLE, type DiffStatus } from '../map/map-style';
import { ServiceMap, type HoverInfo, type LinkLook } from '../map/ServiceMap';
import { ErrorNotice, Loading } from '../Notices';
import type { PageProps } from '../Shell';
import { formatBytes, formatCount, formatRange, formatTime, plural, portLabel } from '../format';

export type DiffEdge = Edge & { status: DiffStatus; flows_before?: number; bytes_before?: number };

/** "sprint 4" after "sprint 1".."sprint 3"; "sprint 1" for the first. */
export function nextSprintName(snapshots: Pick<Snapshot, 'name'>[]): string {
  let max = 0;
  for (const s of snapshots) {
    const m = /^sprint\s+(\d+)$/i.exec(s.name.trim());
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `sprint ${max + 1}`;
}

export function diffEdges(d: SnapshotDiff): DiffEdge[] {
  return [
    ...d.new.map((e) => ({ ...e, status: 'new' as const })),
    ...d.changed.map((e) => ({ ...e, status: 'changed' as const })),
    ...d.gone.map((e) => ({ ...e, status: 'gone' as const })),
  ];
}

const STATUS_RANK: Record<DiffStatus, number> = { new: 3, changed: 2, gone: 1, same: 0 };

function pct(before: number, after: number): string {
  if (before === 0) return 'new volume';
  const p = Math.round(((after - before) / before) * 100);
  return `${p > 0 ? '+' : ''}${p} %`;
}

function diffLook(l: MapLink<DiffEdge>, width: (b: number) => number): LinkLook {
  const status = l.edges.reduce<DiffStatus>((s, e) => (STATUS_RANK[e.status] > STATUS_RANK[s] ? e.status : s), 'same');
  const st = DIFF_STYLE[status];
  let badge: string | undefined;
  if (status === 'changed') {
    const changed = l.edges.filter((e) => e.status === 'changed');
    badge = pct(
      changed.reduce((s, e) => s + (e.bytes_before ?? 0), 0),
      changed.reduce((s, e) => s + e.bytes, 0),
    );
  }
  return { stroke: st.stroke, dash: st.dash, width: width(l.bytes), opacity: status === 'gone' ? 0.8 : 0.95, badge };
}

function peer(ip: string, name: string | null) {
  return name ? `${name} (${ip})` : ip;
}

function DiffTable({ rows, status }: { rows: DiffEdge[]; status: DiffStatus }) {
  return (
    <table className="data diff-table" data-status={status}>
      <thead>
        <tr>
          <th scope="col">
            <span className="sr-only">Style</span>
          </th>
          <th scope="col">Source</th>
          <th scope="col">Destination</th>
          <th scope="col">Service</th>
          <th scope="col">Auth / encryption</th>
          <th scope="col" className="n">
            Flows
          </th>
          <th scope="col" className="n">
            Bytes
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((e, i) => (
          <tr key={i} className={e.crown_jewel && status === 'new' ? 'row-warning' : undefined} data-src={e.src} data-dst={e.dst} data-dport={e.dport}>
            <td>
              <LineSample style={DIFF_STYLE[status]} />
            </td>
            <td>
              {peer(e.src, e.src_name)}
              <div className="muted small">{e.src_zone}</div>
            </td>
            <td>
              {peer(e.dst, e.dst_name)}
              {e.crown_jewel && <span className="jewel-chip"> ♛ {e.crown_jewel}</span>}
              <div className="muted small">{e.dst_zone}</div>
            </td>
            <td>
              {portLabel(e.proto, e.dport)} {e.app ?? ''}
            </td>
            <td>
              {e.auth ?? '?'} / {e.encryption ?? '?'}
            </td>
            <td className="n">{status === 'changed' ? `${formatCount(e.flows_before ?? 0)} → ${formatCount(e.flows)}` : formatCount(e.flows)}</td>
            <td className="n">{status === 'changed' ? `${formatBytes(e.bytes_before ?? 0)} → ${formatBytes(e.bytes)} (${pct(e.bytes_before ?? 0, e.bytes)})` : formatBytes(e.bytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DiffView({ diff, zones, label }: { diff: SnapshotDiff; zones: readonly ZoneSpec[]; label: string }) {
  const edges = useMemo(() => diffEdges(diff), [diff]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [hover, setHover] = useState<HoverInfo<DiffEdge> | null>(null);
  const svgRef = useRef<SVGSVGElement | null>(null);
  // Regions only for the zones the changes touch, with their declared kinds.
  const layout = useMemo(() => {
    const used = new Set(edges.flatMap((e) => [e.src_zone, e.dst_zone]));
    return computeLayout({ zones: zones.filter((z) => used.has(z.name)), edges, expanded });
  }, [edges, zones, expanded]);
  const nodes = useMemo(() => new Map(layout.nodes.map((n) => [n.id, n])), [layout]);
  const onActivate = useCallback((n: MapNode) => {
    if (n.expandable) setExpanded((e) => new Set([...e, n.id]));
  }, []);
  // The server lists new edges touching a crown jewel first; keep that order, but make sure of it.
  const newRows = useMemo(() => [...edges.filter((e) => e.status === 'new')].sort((a, b) => Number(b.crown_jewel !== null) - Number(a.crown_jewel !== null)), [edges]);
  const jewelNew = newRows.filter((e) => e.crown_jewel !== null).length;
  return (
    <section className="diff" aria-label={`Comparison ${label}`} data-testid="snapshot-diff">
      <div className="diff-summary">
        <p>
          <strong className="diff-new">{plural(diff.totals.new, 'new edge')}</strong>
          {jewelNew > 0 && <strong className="alert-count"> ({jewelNew} into or out of crown jewels)</strong>} ·{' '}
          <span className="diff-gone">{plural(diff.totals.gone, 'gone edge')}</span> · <span className="diff-changed">{plural(diff.totals.changed, 'edge')} with changed volume</span>
        </p>
        {(diff.totals.new > diff.new.length || diff.totals.gone > diff.gone.length || diff.totals.changed > diff.changed.length) && (
          <p className="notice">
            Showing the first {diff.new.length} new, {diff.gone.length} gone and {diff.changed.length} changed edges (crown jewels first, then boundary crossings, then volume).
          </p>
        )}
      </div>
      {edges.length === 0 ? (
        <p className="notice notice-empty">No differences: the same edges with the same volume.</p>
      ) : (
        <>
          <div className="map-frame diff-map" style={{ height: Math.max(280, Math.min(560, layout.height + 90)) }}>
            <ServiceMap layout={layout} look={diffLook} selectedId={null} onActivate={onActivate} onHover={setHover} svgRef={svgRef} title={`Changes ${label}`} />
            {hover && (
              <EdgeTooltip
                link={hover.link}
                x={hover.x}
                y={hover.y}
                nodes={nodes}
                extra={(e) => (e.status === 'changed' ? `${formatBytes(e.bytes_before ?? 0)} → ${formatBytes(e.bytes)}` : e.status)}
              />
            )}
          </div>
          <Legend diff />
          {newRows.length > 0 && (
            <>
              <h3>New edges{jewelNew > 0 ? ' — crown jewels first' : ''}</h3>
              <DiffTable rows={newRows} status="new" />
            </>
          )}
          {diff.changed.length > 0 && (
            <>
              <h3>Changed volume</h3>
              <DiffTable rows={edges.filter((e) => e.status === 'changed')} status="changed" />
            </>
          )}
          {diff.gone.length > 0 && (
            <>
              <h3>Gone edges</h3>
              <DiffTable rows={edges.filter((e) => e.status === 'gone')} status="gone" />
            </>
          )}
        </>
      )}
    </section>
  );
}

export function SnapshotsPage({ range, refresh }: PageProps) {
  const [changes, setChanges] = useState(0);
  const list = useQuery(`snapshots:${refresh}:${changes}`, () => api.snapshots());
  const zones = useQuery(`zones:${refresh}`, () => api.zones());
  const snapshots = list.data ?? [];
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saveOk, setSaveOk] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [a, setA] = useState('');
  const [b, setB] = useState('now');
  const [compare, setCompare] = useState<{ a: string; b: string; n: number } | null>(null);

  useEffect(() => {
    if (!nameTouched && list.data) setName(nextSprintName(list.data));
    if (list.data && list.data.length > 0 && !list.data.some((s) => s.name === a)) {
      const newest = [...list.data].sort((x, y) => (x.created < y.created ? 1 : -1))[0]!;
      setA(newest.name);
    }
  }, [list.data]);

  const diff = useQuery(compare ? `diff:${JSON.stringify(compare)}:${range.from}|${range.to}` : null, () => api.snapshotDiff(compare!.a, compare!.b, range));

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    setSaveOk(null);
    if (n === '') {
      setSaveError('Give the snapshot a name, such as "sprint 12".');
      return;
    }
    if (snapshots.some((s) => s.name === n)) {
      setSaveError(`A snapshot "${n}" exists already: choose another name.`);
      return;
    }
    setBusy(true);
    setSaveError(null);
    try {
      await api.saveSnapshot(n, range);
      setSaveOk(`Saved "${n}" (${formatRange(range)}).`);
      setNameTouched(false);
      setChanges((c) => c + 1);
    } catch (err) {
      setSaveError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (n: string) => {
    try {
      await api.deleteSnapshot(n);
      if (compare && (compare.a === n || compare.b === n)) setCompare(null);
      setChanges((c) => c + 1);
    } catch (err) {
      setSaveError(err instanceof Error ? err.message : String(err));
    }
  };
  const runCompare = (e?: FormEvent, pair?: { a: string; b: string }) => {
    e?.preventDefault();
    const p = pair ?? { a, b };
    if (!p.a) return;
    setA(p.a);
    setB(p.b);
    setCompare((c) => ({ ...p, n: (c?.n ?? 0) + 1 }));
  };

  return (
    <div className="snapshots-page">
      <div className="snap-grid">
        <form className="card" onSubmit={save} aria-labelledby="save-title">
          <h2 id="save-title">Save a snapshot</h2>
          <p className="muted">Keeps the edges of {formatRange(range)} by address; zones and crown jewels are applied when you compare, so a diff shows traffic, not edits to the intent file.</p>
          <label className="stacked">
            <span>Snapshot name</span>
            <input
              value={name}
              onChange={(e) => {
                setName(e.target.value);
                setNameTouched(true);
              }}
            />
          </label>
          {saveError && (
            <p className="field-error" role="alert">
              {saveError}
            </p>
          )}
          {saveOk && (
            <p className="ok" role="status">
              {saveOk}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save snapshot'}
          </button>
        </form>

        <form className="card" onSubmit={runCompare} aria-labelledby="compare-title">
          <h2 id="compare-title">Compare</h2>
          {snapshots.length === 0 ? (
            <p className="muted">Save a snapshot first; next sprint, compare it with now.</p>
          ) : (
            <>
              <div className="inline-fields">
                <label className="stacked">
                  <span>Before</span>
                  <select value={a} onChange={(e) => setA(e.target.value)}>
                    {snapshots.map((s) => (
                      <option key={s.name} value={s.name}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="stacked">
                  <span>After</span>
                  <select value={b} onChange={(e) => setB(e.target.value)}>
                    <option value="now">now ({formatRange(range)})</option>
                    {snapshots.map((s) => (
                      <option key={s.name} value={s.name}>
                        {s.name}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <button type="submit" className="primary">
                Compare
              </button>
            </>
          )}
        </form>
      </div>

      <section className="card" aria-labelledby="list-title">
        <h2 id="list-title">
          Snapshots <span className="count">{snapshots.length}</span>
        </h2>
        {list.error && <ErrorNotice error={list.error} what="snapshots" onRetry={list.reload} />}
        {!list.data && !list.error && <Loading what="snapshots" />}
        {list.data && snapshots.length === 0 && <p>No snapshots yet.</p>}
        {snapshots.length > 0 && (
          <table className="data" data-testid="snapshot-list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Range</th>
                <th scope="col">Saved</th>
                <th scope="col" className="n">
                  Edges
                </th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {snapshots.map((s) => (
                <tr key={s.name} data-snapshot={s.name}>
                  <td>
                    <strong>{s.name}</strong>
                  </td>
                  <td>{formatRange(s)}</td>
                  <td>{formatTime(s.created)}</td>
                  <td className="n">{formatCount(s.edges)}</td>
                  <td className="actions">
                    <button type="button" onClick={() => runCompare(undefined, { a: s.name, b: 'now' })}>
                      Compare with now
                    </button>{' '}
                    <button type="button" className="link-button danger-text" onClick={() => remove(s.name)} aria-label={`Delete snapshot ${s.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {compare && (
        <section className="card" aria-labelledby="diff-title">
          <h2 id="diff-title">
            {compare.a} → {compare.b === 'now' ? `now (${formatRange(range)})` : compare.b}
          </h2>
          {diff.error && <ErrorNotice error={diff.error} what="the comparison" onRetry={diff.reload} />}
          {!diff.data && !diff.error && <Loading what="the comparison" />}
          {diff.data && <DiffView diff={diff.data} zones={zones.data ?? []} label={`${compare.a} → ${compare.b}`} />}
        </section>
      )}
    </div>
  );
}
