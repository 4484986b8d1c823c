// Inventory: unknown hosts first (seen, not declared, ranked by contact with crown jewels), then every
// discovered asset, then declared assets never seen.
import { api } from '../../api/endpoints';
import { compareAddresses } from '../../api/ip';
import type { InventoryAsset } from '../../api/types';
import { useQuery } from '../../state/useQuery';
import { EmptyStore, ErrorNotice, Loading } from '../Notices';
import type { PageProps } from '../Shell';
import { storeIsEmpty, useStoreInfo } from '../StoreInfo';
import { formatBytes, formatCount, formatRange, formatTime, plural } from '../format';

/** Most contact with crown jewels first, then most flows, then by address (stable). */
export function rankUnknown(list: InventoryAsset[]): InventoryAsset[] {
  return [...list].sort((a, b) => b.jewel_flows - a.jewel_flows || b.jewel_bytes - a.jewel_bytes || b.flows - a.flows || compareAddresses(a.ip, b.ip));
}

function AssetTable({ rows, unknown = false, caption }: { rows: InventoryAsset[]; unknown?: boolean; caption: string }) {
  return (
    <div className="table-wrap">
      <table className={`data${unknown ? ' unknown-table' : ''}`}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Name</th>
            <th scope="col">Zone</th>
            {!unknown && <th scope="col">Owner</th>}
            {!unknown && <th scope="col">Role</th>}
            <th scope="col">Crown jewel</th>
            <th scope="col" className="n">
              Flows
            </th>
            <th scope="col" className="n">
              Bytes
            </th>
            <th scope="col" className="n">
              Flows with jewels
            </th>
            <th scope="col" className="n">
              Jewels talked to
            </th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.ip} className={unknown && a.jewel_flows > 0 ? 'row-warning' : undefined} data-ip={a.ip}>
              <td className="mono">{a.ip}</td>
              <td>{a.name ?? <span className="muted">–</span>}</td>
              <td>{a.zone}</td>
              {!unknown && <td>{a.owner ?? <span className="muted">–</span>}</td>}
              {!unknown && <td>{a.role ?? <span className="muted">–</span>}</td>}
              <td>{a.jewel ? <span className="jewel-chip">♛ {a.jewel}</span> : <span className="muted">–</span>}</td>
              <td className="n">{formatCount(a.flows)}</td>
              <td className="n">{formatBytes(a.bytes)}</td>
              <td className="n">{a.jewel_flows > 0 ? <strong>{formatCount(a.jewel_flows)}</strong> : '0'}</td>
              <td className="n">{formatCount(a.jewel_peers)}</td>
              <td className="nowrap">{formatTime(a.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function InventoryPage({ range, refresh }: PageProps) {
  const store = useStoreInfo();
  const inv = useQuery(`inventory:${range.from}|${range.to}|${refresh}`, () => api.inventory(range));
  if (inv.error) return <ErrorNotice error={inv.error} what="the inventory" onRetry={inv.reload} />;
  if (storeIsEmpty(store)) return <EmptyStore />;
  if (!inv.data) return <Loading what="the inventory" />;
  const { discovered, declared_unseen, unknown } = inv.data;
  const ranked = rankUnknown(unknown);
  const touching = ranked.filter((a) => a.jewel_flows > 0).length;
  return (
    <div className="inventory-page">
      <section className={`card${ranked.length > 0 ? ' card-warning' : ''}`} aria-labelledby="unknown-title" data-testid="unknown-assets">
        <h2 id="unknown-title">
          Unknown hosts <span className="count">{ranked.length}</span>
        </h2>
        <p className="muted">
          Seen on the network in {formatRange(range)} but not in the declared inventory — ranked by how much they talk to
          crown jewels. {touching > 0 && <strong>{plural(touching, 'unknown host')} talked to crown jewels.</strong>} Declare them
          (intent YAML or <code>POST /api/v1/inventory/import</code>) or find out what they are.
        </p>
        {ranked.length === 0 ? <p>None: every private address seen is declared.</p> : <AssetTable rows={ranked} unknown caption="Unknown hosts" />}
      </section>

      <section className="card" aria-labelledby="discovered-title">
        <h2 id="discovered-title">
          Discovered <span className="count">{discovered.length}</span>
        </h2>
        <p className="muted">Every address seen in flows, with names from the inventory, DNS answers, TLS SNI and HTTP Host.</p>
        {discovered.length === 0 ? <p>No assets in this range.</p> : <AssetTable rows={discovered} caption="Discovered assets" />}
      </section>

      <section className="card" aria-labelledby="unseen-title">
        <h2 id="unseen-title">
          Declared, never seen <span className="count">{declared_unseen.length}</span>
        </h2>
        <p className="muted">In the inventory but without a single flow in this range: decommissioned, or not watched by any agent.</p>
        {declared_unseen.length === 0 ? (
          <p>None.</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Address</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Role</th>
                </tr>
              </thead>
              <tbody>
                {declared_unseen.map((d) => (
                  <tr key={d.name}>
                    <td>{d.name}</td>
                    <td className="mono">{d.address}</td>
                    <td>{d.owner ?? '–'}</td>
                    <td>{d.role ?? '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
