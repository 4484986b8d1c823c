// The frame around every page: navigation on the left, the view controls (time range, filters) on top,
// the "server not reachable" banner, and one ErrorBoundary per page.
import { useCallback, useMemo, useState, type MouseEvent, type ReactNode } from 'react';
import { api } from '../api/endpoints';
import { signOut, useSession } from '../state/session';
import { useQuery } from '../state/useQuery';
import { navigateTo, useView, type ViewApi } from '../state/useView';
import { rangeOf, rangeProblem, viewToUrl, type Page } from '../state/view-state';
import { ErrorBoundary } from './ErrorBoundary';
import { FilterBar } from './FilterBar';
import { formatTime, plural } from './format';
import { Icons, Logo } from './icons';
import { RangePicker } from './RangePicker';
import { StoreInfoContext } from './StoreInfo';
import { ExportsPage } from './pages/ExportsPage';
import { FlowsPage } from './pages/FlowsPage';
import { InventoryPage } from './pages/InventoryPage';
import { MapPage } from './pages/MapPage';
import { SnapshotsPage } from './pages/SnapshotsPage';
import { ZonesPage } from './pages/ZonesPage';

export interface PageProps extends ViewApi {
  range: { from: string; to: string };
  /** Bumped by the Refresh button: part of every page's query keys. */
  refresh: number;
  zoneNames: string[];
}

const NAV: { page: Page; label: string; icon: () => ReactNode; title: string }[] = [
  { page: 'map', label: 'Map', icon: Icons.map, title: 'Trust-boundary map' },
  { page: 'flows', label: 'Flows', icon: Icons.flows, title: 'Flows' },
  { page: 'inventory', label: 'Inventory', icon: Icons.inventory, title: 'Inventory' },
  { page: 'zones', label: 'Zones & jewels', icon: Icons.zones, title: 'Zones and crown jewels' },
  { page: 'snapshots', label: 'Snapshots', icon: Icons.snapshots, title: 'Sprint snapshots' },
  { page: 'exports', label: 'Exports', icon: Icons.exports, title: 'Exports' },
];

const PAGES: Record<Page, (p: PageProps) => ReactNode> = {
  map: MapPage,
  flows: FlowsPage,
  inventory: InventoryPage,
  zones: ZonesPage,
  snapshots: SnapshotsPage,
  exports: ExportsPage,
};

/** Pages whose content depends on the time range / on the filters. */
const USES_RANGE = new Set<Page>(['map', 'flows', 'inventory', 'snapshots', 'exports']);
const USES_FILTERS = new Set<Page>(['map', 'flows']);

export function Shell() {
  const viewApi = useView();
  const { view } = viewApi;
  const session = useSession();
  const [now, setNow] = useState(() => new Date());
  const [refresh, setRefresh] = useState(0);
  const range = useMemo(() => rangeOf(view, now), [view.range, view.from, view.to, now]);
  const stats = useQuery(`stats:${refresh}`, () => api.stats());
  const zones = useQuery(`zones:${refresh}`, () => api.zones());
  const zoneNames = useMemo(() => (zones.data ?? []).map((z) => z.name), [zones.data]);
  const storeInfo = useMemo(() => ({ stats: stats.data, error: stats.error, reload: stats.reload }), [stats.data, stats.error, stats.reload]);
  const doRefresh = useCallback(() => {
    setNow(new Date());
    setRefresh((r) => r + 1);
  }, []);

  const go = (page: Page) => (e: MouseEvent) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigateTo(viewToUrl({ ...view, page, offset: 0 }));
  };
  const current = NAV.find((n) => n.page === view.page)!;
  const Page = PAGES[view.page];
  const problem = rangeProblem(view);
  const t = stats.data?.totals;

  return (
    <StoreInfoContext.Provider value={storeInfo}>
      <div className="shell">
        <nav className="sidebar" aria-label="Main">
          <div className="brand">
            <Logo />
            <span>surfacemap</span>
          </div>
          <ul>
            {NAV.map((n) => (
              <li key={n.page}>
                <a href={viewToUrl({ ...view, page: n.page, offset: 0 })} onClick={go(n.page)} aria-current={n.page === view.page ? 'page' : undefined}>
                  {n.icon()}
                  <span>{n.label}</span>
                </a>
              </li>
            ))}
          </ul>
          <div className="sidebar-foot">
            {t && (
              <p className="store-summary">
                {plural(t.flows, 'flow')} stored
                <br />
                {t.last_seen ? `latest ${formatTime(t.last_seen)}` : 'no traffic yet'}
                <br />
                {plural(stats.data!.agents.length, 'agent')} · {stats.data!.store.kind} store
              </p>
            )}
            <button type="button" className="sidebar-button" onClick={signOut}>
              Sign out
            </button>
          </div>
        </nav>
        <div className="main">
          {!session.reachable && (
            <div className="banner" role="alert" data-testid="server-down">
              <strong>The surfacemap server is not reachable.</strong> Requests to {location.origin} fail. Check that{' '}
              <code>surfacemap start</code> is running (and the network between you and it), then{' '}
              <button type="button" onClick={doRefresh}>
                retry
              </button>
              . What is on screen may be out of date.
            </div>
          )}
          <header className="page-header">
            <div className="title-row">
              <h1>{current.title}</h1>
              {USES_RANGE.has(view.page) && (
                <div className="range-row">
                  <RangePicker view={view} update={viewApi.update} />
                  <button type="button" className="icon-button" onClick={doRefresh} title="Reload the data" aria-label="Refresh data">
                    ↻ Refresh
                  </button>
                </div>
              )}
            </div>
            {USES_FILTERS.has(view.page) && <FilterBar view={view} update={viewApi.update} zones={zoneNames} withZone />}
          </header>
          <main className="page" id="content">
            <ErrorBoundary resetKey={view.page}>
              {problem ? (
                <p className="notice notice-error" role="alert">
                  {problem}
                </p>
              ) : (
                <Page {...viewApi} range={range} refresh={refresh} zoneNames={zoneNames} />
              )}
            </ErrorBoundary>
          </main>
        </div>
      </div>
    </StoreInfoContext.Provider>
  );
}
