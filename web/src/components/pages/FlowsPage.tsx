// The flows table: GET /api/v1/flows with sorting (column headers), filters (the bar above plus source
// and destination here) and paging. All of it in the URL.
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import type { FlowRow } from '../../api/types';
import { useQuery } from '../../state/useQuery';
import type { FlowSort } from '../../state/view-state';
import { EmptyNote, EmptyStore, ErrorNotice, Loading } from '../Notices';
import type { PageProps } from '../Shell';
import { storeIsEmpty, useStoreInfo } from '../StoreInfo';
import { formatBytes, formatCount, formatRange, formatTime } from '../format';

export const PAGE_SIZE = 50;

function SortHeader({ label, sort, view, update, numeric }: { label: string; sort: FlowSort } & Pick<PageProps, 'view' | 'update'> & { numeric?: boolean }) {
  const active = view.sort === sort;
  const next = active && view.order === 'desc' ? 'asc' : 'desc';
  return (
    <th scope="col" aria-sort={active ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none'} className={numeric ? 'n' : undefined}>
      <button type="button" className="sort-button" onClick={() => update({ sort, order: active ? next : 'desc' })}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (view.order === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
        </span>
      </button>
    </th>
  );
}

function endpoint(ip: string, port: number, proto: string) {
  if (proto === 'icmp' || proto === 'icmp6') return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function FlowsPage(p: PageProps) {
  const { view, update, range, refresh } = p;
  const store = useStoreInfo();
  const [src, setSrc] = useState(view.src ?? '');
  const [dst, setDst] = useState(view.dst ?? '');
  useEffect(() => {
    setSrc(view.src ?? '');
    setDst(view.dst ?? '');
  }, [view.src, view.dst]);

  const q = {
    ...range,
    src: view.src ?? undefined,
    dst: view.dst ?? undefined,
    port: view.port ?? undefined,
    proto: view.proto ?? undefined,
    app: view.app ?? undefined,
    auth: view.auth ?? undefined,
    sort: view.sort,
    order: view.order,
    limit: PAGE_SIZE,
    offset: view.offset,
  };
  const flows = useQuery(`flows:${JSON.stringify(q)}:${refresh}`, (signal) => api.flows(q, signal));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    update({ src: src.trim() || null, dst: dst.trim() || null });
  };

  if (flows.error) return <ErrorNotice error={flows.error} what="flows" onRetry={flows.reload} />;
  if (storeIsEmpty(store)) return <EmptyStore />;
  const data = flows.data;
  const first = view.offset + 1;
  const last = data ? view.offset + data.flows.length : 0;
  return (
    <div className="flows-page">
      <form className="filter-bar inline" onSubmit={apply} aria-label="Source and destination">
        <label>
          <span>Source IP</span>
          <input value={src} onChange={(e) => setSrc(e.target.value)} placeholder="any" size={16} />
        </label>
        <label>
          <span>Destination IP</span>
          <input value={dst} onChange={(e) => setDst(e.target.value)} placeholder="any" size={16} />
        </label>
        <button type="submit">Apply</button>
        {data && (
          <p className="summary" data-testid="flows-summary">
            {data.total === 0 ? 'No flows' : `Flows ${formatCount(first)}–${formatCount(last)} of ${formatCount(data.total)}`} · {formatRange(range)}
            {flows.loading && ' · loading…'}
          </p>
        )}
      </form>
      {flows.error && <ErrorNotice error={flows.error} what="flows" onRetry={flows.reload} />}
      {!data && !flows.error && <Loading what="flows" />}
      {data && data.total === 0 && (
        <EmptyNote title="No flows match">
          <p>Nothing in {formatRange(range)} with these filters. Widen the time range or clear the filters.</p>
        </EmptyNote>
      )}
      {data && data.flows.length > 0 && (
        <>
          <div className="table-wrap">
            <table className="data" data-testid="flows-table">
              <thead>
                <tr>
                  <SortHeader label="Start" sort="start" view={view} update={update} />
                  <th scope="col">Proto</th>
                  <th scope="col">Source</th>
                  <SortHeader label="Destination : port" sort="dport" view={view} update={update} />
                  <th scope="col">App</th>
                  <th scope="col">Auth</th>
                  <th scope="col">Encryption</th>
                  <th scope="col">State</th>
                  <SortHeader label="Packets" sort="packets" view={view} update={update} numeric />
                  <SortHeader label="Bytes" sort="bytes" view={view} update={update} numeric />
                  <th scope="col">Agent</th>
                </tr>
              </thead>
              <tbody>
                {data.flows.map((f: FlowRow, i) => (
                  <tr key={`${f.start}|${f.src}|${f.sport}|${f.dst}|${f.dport}|${i}`}>
                    <td className="nowrap">{formatTime(f.start, true)}</td>
                    <td>{f.proto}</td>
                    <td className="mono">{endpoint(f.src, f.sport, f.proto)}</td>
                    <td className="mono">{endpoint(f.dst, f.dport, f.proto)}</td>
                    <td>{f.app ?? '–'}</td>
                    <td>{f.auth ?? '–'}</td>
                    <td>{f.encryption ?? '–'}</td>
                    <td>{f.state}</td>
                    <td className="n">{formatCount(f.orig_pkts + f.resp_pkts)}</td>
                    <td className="n">{formatBytes(f.orig_ip_bytes + f.resp_ip_bytes)}</td>
                    <td>{f.agent}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={view.offset === 0} onClick={() => update({ offset: Math.max(0, view.offset - PAGE_SIZE) })}>
              ← Previous
            </button>
            <span>
              Page {Math.floor(view.offset / PAGE_SIZE) + 1} of {Math.max(1, Math.ceil(data.total / PAGE_SIZE))}
            </span>
            <button type="button" disabled={last >= data.total} onClick={() => update({ offset: view.offset + PAGE_SIZE })}>
              Next →
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
