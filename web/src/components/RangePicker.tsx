// Time range: last hour / day / 7 days / custom (UTC), kept in the URL.
import { useEffect, useState, type FormEvent } from 'react';
import type { ViewApi } from '../state/useView';
import { RANGE_KINDS, RANGE_LABELS, rangeProblem, type RangeKind } from '../state/view-state';

/** `2026-11-27T21:00:00.000Z` ↔ the `YYYY-MM-DDTHH:mm` a datetime-local input holds (read as UTC). */
const toInput = (iso: string | null) => (iso ? iso.slice(0, 16) : '');
const fromInput = (v: string) => (v ? new Date(`${v}:00Z`).toISOString() : null);

export function RangePicker({ view, update }: Pick<ViewApi, 'view' | 'update'>) {
  const [from, setFrom] = useState(toInput(view.from));
  const [to, setTo] = useState(toInput(view.to));
  const [problem, setProblem] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    setFrom(toInput(view.from));
    setTo(toInput(view.to));
  }, [view.from, view.to]);

  const custom = view.range === 'custom' || editing;
  const onKind = (kind: RangeKind) => {
    if (kind === 'custom') {
      setEditing(true);
      return;
    }
    setEditing(false);
    setProblem(null);
    update({ range: kind, from: null, to: null });
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const next = { range: 'custom' as const, from: fromInput(from), to: fromInput(to) };
    const p = rangeProblem(next);
    setProblem(p);
    if (p) return;
    setEditing(false);
    update(next);
  };
  return (
    <form className="range-picker" onSubmit={apply} aria-label="Time range">
      <label>
        <span>Time range</span>
        <select value={custom ? 'custom' : view.range} onChange={(e) => onKind(e.target.value as RangeKind)}>
          {RANGE_KINDS.map((k) => (
            <option key={k} value={k}>
              {RANGE_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      {custom && (
        <>
          <label>
            <span>From (UTC)</span>
            <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
          </label>
          <label>
            <span>To (UTC)</span>
            <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
          <button type="submit">Apply</button>
        </>
      )}
      {problem && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
