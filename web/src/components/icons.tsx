// Small line icons for the navigation (decorative: the text label is the accessible name).
const common = { width: 18, height: 18, viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.8, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true } as const;

export const Icons = {
  map: () => (
    <svg {...common}>
      <circle cx="6" cy="7" r="2.5" />
      <circle cx="18" cy="7" r="2.5" />
      <circle cx="12" cy="17" r="2.5" />
      <path d="M8.2 8.3l2.6 6.4M15.8 8.3l-2.6 6.4M8.5 7h7" />
    </svg>
  ),
  flows: () => (
    <svg {...common}>
      <path d="M4 6h16M4 12h16M4 18h10" />
    </svg>
  ),
  inventory: () => (
    <svg {...common}>
      <rect x="4" y="4" width="16" height="6" rx="1.5" />
      <rect x="4" y="14" width="16" height="6" rx="1.5" />
      <path d="M8 7h.01M8 17h.01" />
    </svg>
  ),
  zones: () => (
    <svg {...common}>
      <rect x="3" y="4" width="8" height="16" rx="2" />
      <rect x="13" y="4" width="8" height="9" rx="2" />
      <rect x="13" y="15" width="8" height="5" rx="2" />
    </svg>
  ),
  snapshots: () => (
    <svg {...common}>
      <path d="M12 7v5l3 2" />
      <circle cx="12" cy="12" r="8" />
    </svg>
  ),
  exports: () => (
    <svg {...common}>
      <path d="M12 4v11M7 10l5 5 5-5M5 20h14" />
    </svg>
  ),
};

export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#1f3b6e" />
      <circle cx="10" cy="11" r="3.5" fill="#fff" />
      <circle cx="22" cy="11" r="3.5" fill="#fff" />
      <path d="M10 11h12M10 11l6 8M22 11l-6 8" stroke="#fff" strokeWidth="1.5" />
      <path d="M16 17l6 2.5v3.5c0 3.3-2.6 5.6-6 6.5-3.4-.9-6-3.2-6-6.5v-3.5z" fill="#f2c14e" />
    </svg>
  );
}
