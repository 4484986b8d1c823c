// The side panel of one asset: who it is (names, zone, owner), its edges in and out, what it calls
// (egress), and tagging it as a crown jewel (PUT/DELETE /api/v1/crown-jewels/:name).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { api, type Range } from '../../api/endpoints';
import type { CrownJewel, Edge } from '../../api/types';
import type { MapNode } from '../../layout/map-layout';
import { edgeSecurity } from '../../layout/security';
import { useQuery } from '../../state/useQuery';
import { ErrorNotice, Loading } from '../Notices';
import { formatBytes, formatCount, formatTime, portLabel } from '../format';
import { SecurityTag } from './Legend';

interface Props {
  node: MapNode;
  range: Range;
  jewels: CrownJewel[];
  refresh: number;
  onClose(): void;
  /** After a tag/untag: the map reloads. */
  onChanged(): void;
}

/** A crown-jewel name from the asset: its name when it has one, else the address. */
export function suggestJewelName(n: Pick<MapNode, 'name' | 'ip'>): string {
  const base = (n.name ?? n.ip ?? 'jewel').toLowerCase();
  return base.replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'jewel';
}

function EdgeRows({ edges, ip }: { edges: Edge[]; ip: string }) {
  return (
    <table className="compact">
      <thead>
        <tr>
          <th scope="col">Direction</th>
          <th scope="col">Peer</th>
          <th scope="col">Service</th>
          <th scope="col">Protection</th>
          <th scope="col" className="n">
            Bytes
          </th>
        </tr>
      </thead>
      <tbody>
        {edges.map((e, i) => {
          const inbound = e.dst === ip;
          const peer = inbound ? e.src_name ?? e.src : e.dst_name ?? e.dst;
          const peerZone = inbound ? e.src_zone : e.dst_zone;
          return (
            <tr key={i} data-direction={inbound ? 'in' : 'out'}>
              <td>{inbound ? '← in' : '→ out'}</td>
              <td>
                {peer}
                <div className="muted small">{peerZone}</div>
              </td>
              <td>
                {portLabel(e.proto, e.dport)}
                <div className="muted small">{e.app ?? 'unknown'}</div>
              </td>
              <td>
                <SecurityTag security={edgeSecurity(e)} />
                <div className="muted small">
                  {e.encryption ?? '?'} · auth {e.auth ?? '?'}
                </div>
              </td>
              <td className="n">{formatBytes(e.bytes)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function AssetPanel({ node, range, jewels, refresh, onClose, onChanged }: Props) {
  const ip = node.ip!;
  const key = `${ip}|${range.from}|${range.to}|${refresh}`;
  const edges = useQuery(`panel-edges:${key}`, (signal) => api.edges({ ...range, asset: ip, crossing: false, limit: 200 }, signal));
  const egress = useQuery(`panel-egress:${key}`, () => api.egress({ ...range, asset: ip }));
  const inventory = useQuery(`panel-inv:${range.from}|${range.to}|${refresh}`, () => api.inventory(range));
  const asset = inventory.data ? [...inventory.data.discovered, ...inventory.data.unknown].find((a) => a.ip === ip) : undefined;
  const jewel = node.jewel ? jewels.find((j) => j.name === node.jewel) : undefined;
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    closeRef.current?.focus();
  }, [ip]);

  return (
    <aside className="asset-panel" aria-labelledby="asset-title" data-asset={ip} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <header>
        <div>
          <h2 id="asset-title">{node.name ?? ip}</h2>
          <p className="muted">
            {node.name ? `${ip} · ` : ''}zone <strong>{node.zone}</strong>
          </p>
        </div>
        <button ref={closeRef} type="button" className="icon-button" onClick={onClose} aria-label="Close the asset panel">
          ✕
        </button>
      </header>

      <JewelSection node={node} jewel={jewel} onChanged={onChanged} />

      <section>
        <h3>Identity</h3>
        {inventory.error && <ErrorNotice error={inventory.error} what="the inventory" onRetry={inventory.reload} />}
        {!inventory.data && !inventory.error && <Loading what="names" />}
        {inventory.data && (
          <dl className="facts">
            <dt>Owner</dt>
            <dd>{asset?.owner ?? jewel?.owner ?? <span className="muted">not declared</span>}</dd>
            <dt>Role</dt>
            <dd>{asset?.role ?? <span className="muted">–</span>}</dd>
            <dt>Declared</dt>
            <dd>{asset ? (asset.declared ? 'yes, in the inventory' : 'no — seen on the network only') : '–'}</dd>
            <dt>Names</dt>
            <dd>
              {asset && asset.names.length > 0 ? (
                <ul className="plain">
                  {asset.names.map((n) => (
                    <li key={`${n.name}|${n.source}`}>
                      {n.name} <span className="muted small">({n.source})</span>
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="muted">none seen</span>
              )}
            </dd>
            {asset && (
              <>
                <dt>Traffic</dt>
                <dd>
                  {formatCount(asset.flows)} flows, {formatBytes(asset.bytes)}; last seen {formatTime(asset.last_seen)}
                </dd>
              </>
            )}
          </dl>
        )}
      </section>

      <section>
        <h3>Edges in and out</h3>
        {edges.error && <ErrorNotice error={edges.error} what="this asset's edges" onRetry={edges.reload} />}
        {!edges.data && !edges.error && <Loading what="edges" />}
        {edges.data && (edges.data.edges.length === 0 ? <p className="muted">No edges in this time range.</p> : <EdgeRows edges={edges.data.edges} ip={ip} />)}
      </section>

      <section>
        <h3>Egress — what it calls</h3>
        {egress.error && <ErrorNotice error={egress.error} what="egress" onRetry={egress.reload} />}
        {!egress.data && !egress.error && <Loading what="egress" />}
        {egress.data &&
          (() => {
            const dests = egress.data.services.filter((s) => s.asset === ip).flatMap((s) => s.destinations);
            if (dests.length === 0) return <p className="muted">It called nothing in this time range.</p>;
            return (
              <ul className="plain egress">
                {dests.map((d, i) => (
                  <li key={i}>
                    <strong>{d.dst_name ?? d.dst}</strong> <span className="muted">({d.dst_zone})</span> {portLabel(d.proto, d.dport)}
                    {d.app && d.app !== d.proto ? ` ${d.app}` : ''} —{' '}
                    {formatCount(d.flows)} flows, {formatBytes(d.bytes)}
                  </li>
                ))}
              </ul>
            );
          })()}
      </section>
    </aside>
  );
}

function JewelSection({ node, jewel, onChanged }: { node: MapNode; jewel: CrownJewel | undefined; onChanged(): void }) {
  const [mode, setMode] = useState<'view' | 'tag' | 'untag'>('view');
  const [name, setName] = useState(suggestJewelName(node));
  const [owner, setOwner] = useState('');
  const [why, setWhy] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setMode('view');
    setName(suggestJewelName(node));
    setError(null);
  }, [node.id, node.jewel]);

  const tag = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim() || !owner.trim() || !why.trim()) {
      setError('Name, owner and why are all needed: a crown jewel without an owner and a reason cannot be reviewed.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.putCrownJewel({ name: name.trim(), match: [node.ip!], owner: owner.trim(), why: why.trim() });
      setMode('view');
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const untag = async () => {
    if (!node.jewel) return;
    setBusy(true);
    setError(null);
    try {
      await api.deleteCrownJewel(node.jewel);
      setMode('view');
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  if (node.jewel) {
    const others = jewel ? jewel.match.filter((m) => m !== node.ip) : [];
    return (
      <section className="jewel-section is-jewel">
        <h3>
          <span className="jewel-badge" aria-hidden="true">
            ♛
          </span>{' '}
          Crown jewel <strong>{node.jewel}</strong>
        </h3>
        {jewel && (
          <dl className="facts">
            <dt>Owner</dt>
            <dd>{jewel.owner}</dd>
            <dt>Why</dt>
            <dd>{jewel.why}</dd>
            <dt>Covers</dt>
            <dd>{jewel.match.join(', ')}</dd>
          </dl>
        )}
        {mode === 'untag' ? (
          <div className="confirm" role="group" aria-label="Confirm untagging">
            <p>
              Remove the crown jewel <strong>{node.jewel}</strong> from the intent file?
              {others.length > 0 && ` It also covers ${others.join(', ')}: those stop being crown jewels too.`}
            </p>
            <button type="button" className="danger" onClick={untag} disabled={busy}>
              {busy ? 'Removing…' : 'Yes, untag'}
            </button>{' '}
            <button type="button" onClick={() => setMode('view')}>
              Keep it
            </button>
          </div>
        ) : (
          <button type="button" onClick={() => setMode('untag')}>
            Untag as crown jewel
          </button>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </section>
    );
  }

  return (
    <section className="jewel-section">
      {mode !== 'tag' ? (
        <button type="button" className="primary" onClick={() => setMode('tag')}>
          ♛ Tag as crown jewel
        </button>
      ) : (
        <form onSubmit={tag} className="tag-form" aria-label="Tag as crown jewel">
          <h3>Tag {node.name ?? node.ip} as a crown jewel</h3>
          <label className="stacked">
            <span>Crown-jewel name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} required />
          </label>
          <label className="stacked">
            <span>Owner (team or person)</span>
            <input value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="e.g. data-team" required />
          </label>
          <label className="stacked">
            <span>Why it matters</span>
            <input value={why} onChange={(e) => setWhy(e.target.value)} placeholder="e.g. customer PII" required />
          </label>
          <p className="help">Written to the intent YAML (keeps its comments), so the change shows up in your git diff.</p>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save crown jewel'}
          </button>{' '}
          <button type="button" onClick={() => setMode('view')}>
            Cancel
          </button>
        </form>
      )}
    </section>
  );
}
