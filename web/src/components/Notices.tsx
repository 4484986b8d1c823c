// The messages that replace a page's content when there is nothing to show: an error (with what to do),
// an empty store (how to start an agent), loading.
import type { ReactNode } from 'react';
import { ApiError, NetworkError, UnauthorizedError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

/** Says what failed and what to do about it, by kind of failure. */
export function ErrorNotice({ error, what, onRetry }: { error: Error; what: string; onRetry?: () => void }) {
  let title = `Could not load ${what}`;
  let body: ReactNode;
  if (error instanceof NetworkError) {
    title = 'The server is not reachable';
    body = (
      <p>
        {error.message}. Check that <code>surfacemap start</code> is still running on this machine, then retry.
      </p>
    );
  } else if (error instanceof UnauthorizedError) {
    body = <p>The server refused the token: {error.message}</p>;
  } else if (error instanceof ApiError && error.status === 404 && /^no route for/.test(error.message)) {
    body = (
      <p>
        This server does not offer <code>{error.path}</code> yet ({error.message}). Upgrade surfacemap to a version with
        this feature.
      </p>
    );
  } else if (error instanceof ApiError) {
    body = (
      <p>
        The server answered {error.status} {error.error}: <strong>{error.message}</strong>
      </p>
    );
  } else {
    body = <p>{error.message}</p>;
  }
  return (
    <section className="notice notice-error" role="alert" data-error={error.name}>
      <h2>{title}</h2>
      {body}
      {onRetry && (
        <p>
          <button type="button" onClick={onRetry}>
            Retry
          </button>
        </p>
      )}
    </section>
  );
}

/** The empty store: nothing has been ingested yet. */
export function EmptyStore() {
  const origin = location.origin;
  return (
    <section className="notice notice-empty" data-testid="empty-store">
      <h2>No data yet — start an agent to see your map</h2>
      <p>
        The store holds no flows. surfacemap draws the map from traffic that agents send to this server. Any of these
        gets you going:
      </p>
      <ol className="steps">
        <li>
          <strong>Replay a capture</strong> you already have:
          <pre>{`export SURFACEMAP_COLLECTOR=${origin}\nexport SURFACEMAP_AGENT_TOKEN=$(cat surfacemap-data/api-token)\nnpx surfacemap replay office-monday.pcap`}</pre>
        </li>
        <li>
          <strong>Watch live traffic</strong> on a host (needs root or CAP_NET_RAW):
          <pre>{`sudo -E npx surfacemap agent --iface eth0 --filter 'not port ${location.port || '7070'}'`}</pre>
        </li>
        <li>
          <strong>Try the demo</strong>: stop the server, start it with <code>surfacemap start --demo</code> on an empty data
          directory, and reload this page.
        </li>
      </ol>
      <p className="muted">Flows show up here within a few seconds of an agent's first batch.</p>
    </section>
  );
}

export function EmptyNote({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <section className="notice notice-empty">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
