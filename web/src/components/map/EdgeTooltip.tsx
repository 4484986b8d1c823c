// Hover details of one link: every edge it draws (up to 8), with port, app, auth, encryption, volume.
import type { Edge } from '../../api/types';
import type { MapLink, MapNode } from '../../layout/map-layout';
import { edgeSecurity } from '../../layout/security';
import { formatBytes, formatCount, formatTime, portLabel } from '../format';
import { SecurityTag } from './Legend';

const SHOWN = 8;

export function EdgeTooltip<E extends Edge>({ link, x, y, nodes, extra }: { link: MapLink<E>; x: number; y: number; nodes: Map<string, MapNode>; extra?: (e: E) => string | null }) {
  const s = nodes.get(link.source);
  const t = nodes.get(link.target);
  const name = (n: MapNode | undefined) => (n ? (n.kind === 'asset' ? (n.name ? `${n.name} (${n.ip})` : n.ip) : n.label) : '?');
  return (
    <div className="tooltip" role="tooltip" style={{ left: x + 16, top: y + 16 }}>
      <p className="tooltip-title">
        {name(s)} → {name(t)}
      </p>
      {link.alert && <p className="tooltip-alert">! Cleartext or unauthenticated traffic into a crown jewel</p>}
      <table className="compact">
        <tbody>
          {link.edges.slice(0, SHOWN).map((e, i) => (
            <tr key={i}>
              <td>
                <strong>{portLabel(e.proto, e.dport)}</strong> {e.app ?? 'unknown'}
                {link.source !== e.src && <div className="muted small">{e.src}</div>}
              </td>
              <td>
                <SecurityTag security={edgeSecurity(e)} />
                <div className="muted small">
                  enc {e.encryption ?? '?'} · auth {e.auth ?? '?'}
                </div>
              </td>
              <td className="n">
                {formatCount(e.flows)} flows
                <div className="muted small">{formatBytes(e.bytes)}</div>
              </td>
              {extra && <td className="small">{extra(e)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {link.edges.length > SHOWN && <p className="muted small">+{link.edges.length - SHOWN} more edges</p>}
      <p className="muted small">
        first {formatTime(link.edges.reduce((m, e) => (e.first_seen < m ? e.first_seen : m), link.edges[0]!.first_seen))} · last{' '}
        {formatTime(link.edges.reduce((m, e) => (e.last_seen > m ? e.last_seen : m), link.edges[0]!.last_seen))}
      </p>
    </div>
  );
}
