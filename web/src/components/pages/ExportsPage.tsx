// Exports: the procurement spec (CSV/XLSX/Markdown) and allow-lists per format for one crown jewel or
// zone. Before an allow-list is downloaded, the simulation says which observed flows it would deny.
import { useState } from 'react';
import { api, type AllowlistTarget } from '../../api/endpoints';
import { ALLOWLIST_FORMATS, SPEC_FORMATS, type AllowlistFormat, type AllowlistRules, type SimulationResult, type SpecFormat } from '../../api/types';
import { useQuery } from '../../state/useQuery';
import { saveBlob } from '../map/export-image';
import { ErrorNotice, Loading } from '../Notices';
import type { PageProps } from '../Shell';
import { formatBytes, formatCount, formatRange, plural, portLabel } from '../format';

const SPEC_LABELS: Record<SpecFormat, string> = { csv: 'CSV', xlsx: 'Excel (XLSX)', md: 'Markdown' };
const FORMAT_LABELS: Record<AllowlistFormat, string> = {
  nftables: 'nftables',
  k8s: 'Kubernetes NetworkPolicy',
  cilium: 'CiliumNetworkPolicy',
  aws: 'AWS security group rules (JSON)',
  csv: 'CSV',
};


function useDownload() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (key: string, fn: () => Promise<{ blob: Blob; filename: string }>) => {
    setBusy(key);
    setError(null);
    setDone(null);
    try {
      const { blob, filename } = await fn();
      saveBlob(blob, filename);
      setDone(`Downloaded ${filename} (${formatBytes(blob.size)}).`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, done, run };
}

interface Checked {
  rules: AllowlistRules;
  sim: SimulationResult;
}

function SimulationBox({ q, format }: { q: { data?: Checked; error?: Error; reload(): void }; format: AllowlistFormat }) {
  if (q.error) return <ErrorNotice error={q.error} what="the simulation" onRetry={q.reload} />;
  if (!q.data) return <Loading what="the rules and their simulation" />;
  const { rules, sim } = q.data;
  const n = sim.denied_flows;
  const warnings = rules.warnings[format] ?? [];
  return (
    <div className={`simulation ${n > 0 ? 'sim-denied' : 'sim-ok'}`} role="status" data-testid="simulation" data-denied={n} data-rules={rules.sizing.rules}>
      <p className="sim-headline">
        {n === 0 ? '✓ ' : '! '}
        <strong>{n === 0 ? 'No observed flow would be denied' : `These ${plural(n, 'observed flow')} would be denied`}</strong> by these{' '}
        {plural(rules.sizing.rules, 'rule')} ({formatCount(sim.admitted)} admitted; {formatCount(sim.out_of_scope)} not governed by them).
      </p>
      <p className="muted">
        Size: {plural(rules.sizing.rules, 'rule')}, {plural(rules.sizing.distinct_addresses, 'distinct address', 'distinct addresses')},{' '}
        {plural(rules.sizing.distinct_cidrs, 'CIDR')}, {plural(rules.sizing.ports, 'port')} — hold it against your vendor's limits.
      </p>
      {warnings.length > 0 && (
        <ul className="warnings" aria-label={`Warnings for ${FORMAT_LABELS[format]}`}>
          {warnings.map((w, i) => (
            <li key={i}>
              <strong>{w.code}</strong>
              {w.rule ? ` (${w.rule})` : ''}: {w.message}
            </li>
          ))}
        </ul>
      )}
      {sim.denied.length > 0 && (
        <table className="data compact">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Destination</th>
              <th scope="col">Service</th>
              <th scope="col" className="n">
                Flows
              </th>
              <th scope="col" className="n">
                Bytes
              </th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {sim.denied.slice(0, 50).map((d, i) => (
              <tr key={i}>
                <td className="mono">{d.src_name ? `${d.src_name} (${d.src})` : d.src}</td>
                <td className="mono">{d.dst_name ? `${d.dst_name} (${d.dst})` : d.dst}</td>
                <td>
                  {portLabel(d.proto, d.dport)} {d.app ?? ''}
                </td>
                <td className="n">{formatCount(d.flows)}</td>
                <td className="n">{formatBytes(d.bytes)}</td>
                <td className="small">{d.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ExportsPage({ range, refresh }: PageProps) {
  const jewels = useQuery(`jewels:${refresh}`, () => api.crownJewels());
  const zones = useQuery(`zones:${refresh}`, () => api.zones());
  const [targetValue, setTargetValue] = useState('');
  const [source, setSource] = useState<'observed' | 'intent'>('observed');
  const [owner, setOwner] = useState('');
  const [reason, setReason] = useState('');
  const [format, setFormat] = useState<AllowlistFormat>('nftables');
  const spec = useDownload();
  const allow = useDownload();

  const firstTarget = jewels.data?.[0] ? `jewel:${jewels.data[0].name}` : zones.data?.[0] ? `zone:${zones.data[0].name}` : '';
  const value = targetValue || firstTarget;
  const target: AllowlistTarget | null = value ? { kind: value.startsWith('jewel:') ? 'jewel' : 'zone', name: value.slice(value.indexOf(':') + 1) } : null;
  // The rules the download will hold (owner and reason do not change what they admit), then the
  // observed range replayed against them.
  const [saves, setSaves] = useState(0);
  const checked = useQuery<Checked>(target ? `allow-check:${value}:${source}:${range.from}|${range.to}:${refresh}:${saves}` : null, async () => {
    const rules = await api.allowlistRules({ target: target!, source }, range);
    const sim = await api.simulate(rules.rules, range);
    return { rules, sim };
  });
  const request = target ? { target, source, owner: owner.trim() || undefined, reason: reason.trim() || undefined } : null;
  const [saveState, setSaveState] = useState<{ busy: boolean; error: string | null; done: string | null }>({ busy: false, error: null, done: null });
  const saveRules = async () => {
    if (!target) return;
    if (!owner.trim() || !reason.trim()) {
      setSaveState({ busy: false, error: 'Rules saved into the intent file need an owner and a reason: fill in both above.', done: null });
      return;
    }
    setSaveState({ busy: true, error: null, done: null });
    try {
      const r = await api.saveGeneratedRules({ target, source: 'observed', owner: owner.trim(), reason: reason.trim() }, range);
      setSaves((n) => n + 1);
      setSaveState({
        busy: false,
        error: null,
        done: r.saved
          ? `Saved ${plural(r.rules.length, 'rule')} into the intent file (${r.added ?? 0} added, ${r.updated ?? 0} updated, ${r.unchanged ?? 0} unchanged).`
          : 'No rules to save: no boundary-crossing flows for this target in the range.',
      });
    } catch (err) {
      setSaveState({ busy: false, error: err instanceof Error ? err.message : String(err), done: null });
    }
  };

  return (
    <div className="exports-page">
      <section className="card" aria-labelledby="spec-title">
        <h2 id="spec-title">Procurement spec</h2>
        <p className="muted">
          One row per boundary-crossing traffic pattern in {formatRange(range)}: who talks to what, on which port and protocol,
          how it is encrypted and authenticated, how much and how often — with the top patterns, UDP patterns and
          weak patterns into crown jewels summarised for vendors.
        </p>
        <div className="button-row" role="group" aria-label="Download the procurement spec">
          {SPEC_FORMATS.map((f) => (
            <button key={f} type="button" onClick={() => spec.run(`spec-${f}`, () => api.exportSpec(f, range))} disabled={spec.busy !== null}>
              {spec.busy === `spec-${f}` ? 'Preparing…' : `Download ${SPEC_LABELS[f]}`}
            </button>
          ))}
        </div>
        {spec.error && (
          <p className="field-error" role="alert">
            The spec could not be exported: {spec.error}
          </p>
        )}
        {spec.done && (
          <p className="ok" role="status">
            {spec.done}
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="allow-title">
        <h2 id="allow-title">Allow-lists</h2>
        <p className="muted">
          The tightest rules that admit every observed boundary-crossing flow around a crown jewel or a zone (one protocol,
          named sources, one port), each with an owner and a reason — or the rules already in your intent file. Replayed
          against the observed traffic before you download.
        </p>
        {(jewels.error || zones.error) && <ErrorNotice error={(jewels.error ?? zones.error)!} what="crown jewels and zones" />}
        {jewels.data && zones.data && jewels.data.length + zones.data.length === 0 ? (
          <p>Declare a zone or tag a crown jewel first: allow-lists are generated around them.</p>
        ) : (
          <div className="allow-form">
            <label className="stacked">
              <span>Protect</span>
              <select value={value} onChange={(e) => setTargetValue(e.target.value)}>
                {jewels.data && jewels.data.length > 0 && (
                  <optgroup label="Crown jewels">
                    {jewels.data.map((j) => (
                      <option key={j.name} value={`jewel:${j.name}`}>
                        ♛ {j.name}
                      </option>
                    ))}
                  </optgroup>
                )}
                {zones.data && zones.data.length > 0 && (
                  <optgroup label="Zones">
                    {zones.data.map((z) => (
                      <option key={z.name} value={`zone:${z.name}`}>
                        {z.name}
                      </option>
                    ))}
                  </optgroup>
                )}
              </select>
            </label>
            <fieldset className="format-choice">
              <legend>Rules</legend>
              <label className="radio">
                <input type="radio" name="allowlist-source" checked={source === 'observed'} onChange={() => setSource('observed')} />
                Generated from observed traffic
              </label>
              <label className="radio">
                <input type="radio" name="allowlist-source" checked={source === 'intent'} onChange={() => setSource('intent')} />
                The intent file's rules
              </label>
            </fieldset>
            {source === 'observed' && (
              <>
                <label className="stacked">
                  <span>Owner of the rules</span>
                  <input value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="e.g. data-team" />
                </label>
                <label className="stacked">
                  <span>Reason</span>
                  <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. PCI scope, sprint 14" />
                </label>
              </>
            )}
            <fieldset className="format-choice">
              <legend>Format</legend>
              {ALLOWLIST_FORMATS.map((f) => (
                <label key={f} className="radio">
                  <input type="radio" name="allowlist-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
                  {FORMAT_LABELS[f]}
                </label>
              ))}
            </fieldset>
          </div>
        )}
        {target && request && (
          <>
            <h3>Checked against {formatRange(range)}</h3>
            <SimulationBox q={checked} format={format} />
            <div className="button-row">
              <button
                type="button"
                className="primary"
                disabled={!checked.data || allow.busy !== null}
                onClick={() => allow.run('allow', () => api.exportAllowlist(request, format, range))}
                title={!checked.data ? 'Waiting for the simulation result' : undefined}
              >
                {allow.busy ? 'Preparing…' : `Download ${FORMAT_LABELS[format]} for ${target.name}`}
              </button>
              {checked.error && (
                <button type="button" onClick={() => allow.run('allow', () => api.exportAllowlist(request, format, range))} disabled={allow.busy !== null}>
                  Download without a simulation
                </button>
              )}
              {source === 'observed' && (
                <button type="button" onClick={saveRules} disabled={saveState.busy || !checked.data}>
                  {saveState.busy ? 'Saving…' : 'Save these rules to the intent file'}
                </button>
              )}
            </div>
            {saveState.error && (
              <p className="field-error" role="alert">
                The rules were not saved: {saveState.error}
              </p>
            )}
            {saveState.done && (
              <p className="ok" role="status">
                {saveState.done}
              </p>
            )}
            {allow.error && (
              <p className="field-error" role="alert">
                The allow-list could not be exported: {allow.error}
              </p>
            )}
            {allow.done && (
              <p className="ok" role="status">
                {allow.done}
              </p>
            )}
          </>
        )}
      </section>
    </div>
  );
}
