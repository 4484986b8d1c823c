// Zones editor (CIDR list per zone, kind, description; checked here before the server checks again)
// and the crown jewels list. Both write the intent YAML through the API.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../../api/endpoints';
import { checkCidrList } from '../../api/ip';
import type { CrownJewel, Zone } from '../../api/types';
import { useQuery } from '../../state/useQuery';
import { ErrorNotice, Loading } from '../Notices';
import type { PageProps } from '../Shell';
import { ZONE_KIND_OPTIONS } from '../vocab';

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const RESERVED = new Set(['internet', 'unassigned']);
const KIND = /^[a-z][a-z0-9_-]*$/;

/** Problems with a zone as typed, each said so a person can fix it. */
export function zoneProblems(z: { name: string; kind: string; cidrsText: string }, existing: string[] | null): { cidrs: string[]; problems: string[] } {
  const problems: string[] = [];
  if (existing !== null) {
    if (!NAME.test(z.name)) problems.push('Name: lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. "prod" or "office-lan").');
    else if (RESERVED.has(z.name)) problems.push(`Name: "${z.name}" is built in (addresses no zone covers); choose another name.`);
    else if (existing.includes(z.name)) problems.push(`Name: a zone "${z.name}" already exists; edit it below.`);
  }
  if (!KIND.test(z.kind)) problems.push('Kind: one lower-case word, such as internal, dmz or partner.');
  const c = checkCidrList(z.cidrsText);
  return { cidrs: c.cidrs, problems: [...problems, ...c.problems] };
}

function KindPicker({ value, onChange }: { value: string; onChange(v: string): void }) {
  const known = (ZONE_KIND_OPTIONS as readonly string[]).includes(value);
  const [custom, setCustom] = useState(!known);
  const id = useId();
  return (
    <div className="kind-picker">
      <label className="stacked">
        <span>Kind</span>
        <select
          value={custom ? '__other' : value}
          onChange={(e) => {
            if (e.target.value === '__other') setCustom(true);
            else {
              setCustom(false);
              onChange(e.target.value);
            }
          }}
        >
          {ZONE_KIND_OPTIONS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
          <option value="__other">other…</option>
        </select>
      </label>
      {custom && (
        <label className="stacked" htmlFor={id}>
          <span>Other kind</span>
          <input id={id} value={value} onChange={(e) => onChange(e.target.value.trim().toLowerCase())} placeholder="e.g. lab" />
        </label>
      )}
    </div>
  );
}

interface EditorProps {
  zone: Zone | null;
  existing: string[];
  onSaved(): void;
  onCancel?(): void;
}

function ZoneEditor({ zone, existing, onSaved, onCancel }: EditorProps) {
  const isNew = zone === null;
  const [name, setName] = useState(zone?.name ?? '');
  const [kind, setKind] = useState(zone?.kind ?? 'internal');
  const [cidrsText, setCidrsText] = useState((zone?.cidrs ?? []).join('\n'));
  const [description, setDescription] = useState(zone?.description ?? '');
  const [problems, setProblems] = useState<string[]>([]);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const uid = useId();
  useEffect(() => {
    setKind(zone?.kind ?? 'internal');
    setCidrsText((zone?.cidrs ?? []).join('\n'));
    setDescription(zone?.description ?? '');
  }, [zone]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const check = zoneProblems({ name: name.trim(), kind, cidrsText }, isNew ? existing : null);
    setProblems(check.problems);
    setServerError(null);
    if (check.problems.length > 0) return;
    setBusy(true);
    try {
      await api.putZone({ name: name.trim(), kind, cidrs: check.cidrs, description: description.trim() || undefined });
      setSaved(true);
      if (isNew) {
        setName('');
        setCidrsText('');
        setDescription('');
      }
      onSaved();
    } catch (err) {
      setServerError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    setServerError(null);
    try {
      await api.deleteZone(zone!.name);
      onSaved();
    } catch (err) {
      setServerError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  const problemsId = `${uid}-problems`;
  return (
    <form className={`card zone-editor${isNew ? ' zone-new' : ''}`} onSubmit={save} aria-label={isNew ? 'New zone' : `Zone ${zone.name}`} data-zone={zone?.name}>
      <div className="zone-editor-head">
        {isNew ? (
          <label className="stacked zone-name">
            <span>New zone name</span>
            <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. prod" aria-invalid={problems.some((p) => p.startsWith('Name')) || undefined} />
          </label>
        ) : (
          <h2>{zone.name}</h2>
        )}
        <KindPicker value={kind} onChange={setKind} />
      </div>
      <label className="stacked">
        <span>CIDRs and addresses (one per line)</span>
        <textarea
          rows={Math.max(2, Math.min(8, cidrsText.split('\n').length + 1))}
          value={cidrsText}
          onChange={(e) => setCidrsText(e.target.value)}
          spellCheck={false}
          placeholder={'10.0.0.0/22\nfd00:100::/32'}
          aria-invalid={problems.length > 0 || undefined}
          aria-describedby={problems.length > 0 ? problemsId : undefined}
        />
      </label>
      <label className="stacked">
        <span>Description (optional)</span>
        <input value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      {problems.length > 0 && (
        <ul className="field-error" id={problemsId} role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {serverError && (
        <p className="field-error" role="alert">
          The server refused it: {serverError}
        </p>
      )}
      {saved && !isNew && (
        <p className="ok" role="status">
          Saved to the intent file.
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {isNew ? 'Add zone' : 'Save'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
        {!isNew &&
          (confirmDelete ? (
            <span className="confirm-inline">
              Delete zone {zone.name}? Its addresses fall back to <code>unassigned</code>/<code>internet</code>.{' '}
              <button type="button" className="danger" onClick={remove} disabled={busy}>
                Delete
              </button>{' '}
              <button type="button" onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" className="link-button danger-text" onClick={() => setConfirmDelete(true)}>
              Delete zone…
            </button>
          ))}
      </div>
    </form>
  );
}

function JewelList({ jewels, onChanged }: { jewels: CrownJewel[]; onChanged(): void }) {
  const [error, setError] = useState<string | null>(null);
  const remove = async (name: string) => {
    setError(null);
    try {
      await api.deleteCrownJewel(name);
      onChanged();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section className="card" aria-labelledby="jewels-title">
      <h2 id="jewels-title">
        Crown jewels <span className="count">{jewels.length}</span>
      </h2>
      <p className="muted">The protect surface. Tag more from the map: select an asset, then “Tag as crown jewel”.</p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {jewels.length === 0 ? (
        <p>No crown jewels yet.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Matches</th>
              <th scope="col">Owner</th>
              <th scope="col">Why</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {jewels.map((j) => (
              <tr key={j.name}>
                <td>
                  <span className="jewel-chip">♛ {j.name}</span>
                </td>
                <td className="mono">{j.match.join(', ')}</td>
                <td>{j.owner}</td>
                <td>{j.why}</td>
                <td>
                  <button type="button" className="link-button danger-text" onClick={() => remove(j.name)} aria-label={`Remove crown jewel ${j.name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ZonesPage({ refresh }: PageProps) {
  const [changes, setChanges] = useState(0);
  const zones = useQuery(`zones:${refresh}:${changes}`, () => api.zones());
  const jewels = useQuery(`jewels:${refresh}:${changes}`, () => api.crownJewels());
  const bump = () => setChanges((c) => c + 1);
  const names = (zones.data ?? []).map((z) => z.name);
  return (
    <div className="zones-page">
      <p className="lead">
        Trust zones group addresses; the most specific CIDR over all zones wins. Public space no zone covers is{' '}
        <code>internet</code>, private space is <code>unassigned</code>. Changes are written to the intent YAML and redraw
        history at once — nothing is re-ingested.
      </p>
      {jewels.error && <ErrorNotice error={jewels.error} what="crown jewels" onRetry={jewels.reload} />}
      {jewels.data && <JewelList jewels={jewels.data} onChanged={bump} />}
      <h2 className="section-title">
        Trust zones <span className="count">{names.length}</span>
      </h2>
      {zones.error && <ErrorNotice error={zones.error} what="zones" onRetry={zones.reload} />}
      {!zones.data && !zones.error && <Loading what="zones" />}
      <div className="zones-grid">
        <ZoneEditor zone={null} existing={names} onSaved={bump} />
        {zones.data?.map((z) => (
          <ZoneEditor key={z.name} zone={z} existing={names} onSaved={bump} />
        ))}
      </div>
      {zones.data && zones.data.length === 0 && <p className="muted">No zones declared yet: add the first one above.</p>}
    </div>
  );
}
