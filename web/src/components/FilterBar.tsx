// Filters shared by the map and the flows table (zone, port, app, auth, protocol), kept in the URL.
import { useEffect, useState, type FormEvent } from 'react';
import type { ViewApi } from '../state/useView';
import { AUTH_OPTIONS, PROTO_OPTIONS } from './vocab';

export function FilterBar({ view, update, zones, withZone = true }: Pick<ViewApi, 'view' | 'update'> & { zones: string[]; withZone?: boolean }) {
  const [zone, setZone] = useState(view.zone ?? '');
  const [port, setPort] = useState(view.port ?? '');
  const [app, setApp] = useState(view.app ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setZone(view.zone ?? '');
    setPort(view.port ?? '');
    setApp(view.app ?? '');
  }, [view.zone, view.port, view.app]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const p = port.trim();
    if (p !== '' && !(/^\d{1,5}$/.test(p) && Number(p) <= 65535)) {
      setProblem('Port must be a number from 0 to 65535.');
      return;
    }
    setProblem(null);
    update({ zone: zone.trim().toLowerCase() || null, port: p || null, app: app.trim().toLowerCase() || null });
  };
  const active = view.zone || view.port || view.app || view.auth || view.proto;
  return (
    <form className="filter-bar" onSubmit={apply} aria-label="Filters">
      {withZone && (
        <label>
          <span>Zone</span>
          <input list="zone-names" value={zone} onChange={(e) => setZone(e.target.value)} placeholder="any" size={10} />
          <datalist id="zone-names">
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </label>
      )}
      <label>
        <span>Port</span>
        <input inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} placeholder="any" size={5} aria-invalid={problem ? true : undefined} />
      </label>
      <label>
        <span>App</span>
        <input value={app} onChange={(e) => setApp(e.target.value)} placeholder="any" size={9} />
      </label>
      <label>
        <span>Auth</span>
        <select value={view.auth ?? ''} onChange={(e) => update({ auth: e.target.value || null })}>
          <option value="">any</option>
          {AUTH_OPTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Protocol</span>
        <select value={view.proto ?? ''} onChange={(e) => update({ proto: e.target.value || null })}>
          <option value="">any</option>
          {PROTO_OPTIONS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Filter</button>
      {active && (
        <button type="button" className="link-button" onClick={() => update({ zone: null, port: null, app: null, auth: null, proto: null })}>
          Clear filters
        </button>
      )}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
