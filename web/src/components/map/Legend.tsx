// The map legend (HTML on screen; export-image.ts draws the same entries into exported files) and the
// small line sample used wherever a security class is named.
import { SECURITY_CLASSES, SECURITY_LABELS, type Security } from '../../layout/security';
import { ALERT, DIFF_STYLE, GROUP, JEWEL, NODE, SECURITY_STYLE, type DiffStatus, type LineStyle } from './map-style';

export function LineSample({ style, width = 3 }: { style: LineStyle; width?: number }) {
  return (
    <svg width="40" height="10" aria-hidden="true" className="line-sample">
      <line x1="1" y1="5" x2="39" y2="5" stroke={style.stroke} strokeWidth={width} strokeDasharray={style.dash ?? undefined} strokeLinecap={style.dash === '2 4' ? 'round' : 'butt'} />
    </svg>
  );
}

export function SecurityTag({ security }: { security: Security }) {
  return (
    <span className={`security-tag security-${security}`}>
      <LineSample style={SECURITY_STYLE[security]} width={2.5} /> {security}
    </span>
  );
}

export function Legend({ diff = false }: { diff?: boolean }) {
  return (
    <section className="legend" aria-label="Legend">
      <h2>Legend</h2>
      <ul>
        {diff
          ? (['new', 'gone', 'changed'] as DiffStatus[]).map((d) => (
              <li key={d}>
                <LineSample style={DIFF_STYLE[d]} /> {d === 'new' ? 'New edge' : d === 'gone' ? 'Gone edge' : 'Volume changed'} <span className="muted">({DIFF_STYLE[d].label})</span>
              </li>
            ))
          : SECURITY_CLASSES.map((c) => (
              <li key={c}>
                <LineSample style={SECURITY_STYLE[c]} /> {SECURITY_LABELS[c]} <span className="muted">({SECURITY_STYLE[c].label})</span>
              </li>
            ))}
        {!diff && (
          <li>
            <svg width="40" height="18" aria-hidden="true">
              <line x1="1" y1="9" x2="39" y2="9" stroke={ALERT} strokeOpacity={0.16} strokeWidth={11} />
              <line x1="1" y1="9" x2="39" y2="9" stroke={ALERT} strokeWidth={2.5} strokeDasharray="2 4" strokeLinecap="round" />
              <circle cx="20" cy="9" r="7" fill={ALERT} />
              <text x="20" y="12.5" fontSize="10" fontWeight="800" textAnchor="middle" fill="#fff">
                !
              </text>
            </svg>{' '}
            Cleartext or unauthenticated <strong>into a crown jewel</strong>
          </li>
        )}
        <li>
          <svg width="40" height="24" aria-hidden="true">
            <path d="M20 2 L29 6 L29 12 C29 17 25 20 20 22 C15 20 11 17 11 12 L11 6 Z" fill={JEWEL.fill} stroke={JEWEL.stroke} strokeWidth={2} />
            <path d="M16 14 L16 9 L18 11.5 L20 8 L22 11.5 L24 9 L24 14 Z" fill={JEWEL.stroke} />
          </svg>{' '}
          Crown jewel (shield, labelled)
        </li>
        <li>
          <svg width="40" height="24" aria-hidden="true">
            <circle cx="12" cy="12" r="8" fill={NODE.fill} stroke={NODE.stroke} strokeWidth={1.6} />
            <rect x="22" y="5" width="13" height="13" rx="3" fill={GROUP.fill} stroke={GROUP.stroke} strokeWidth={1.4} />
          </svg>{' '}
          Asset · group of hosts (open it)
        </li>
        <li className="muted">Line width: bytes (log scale) · arrow: towards the responder</li>
      </ul>
    </section>
  );
}
