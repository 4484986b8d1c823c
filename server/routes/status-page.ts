// The interim status page at `/` until the web UI (web/, a later issue) is served here instead.
// Plain HTML and a few lines of JS, no build step: asks for the API token (kept in sessionStorage,
// sent only as an Authorization header, never in a URL) and shows GET /api/v1/stats as tables.
// Values from the API are written with textContent, never as HTML.
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>surfacemap · status</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1d2430; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  .note { background: #fff7e0; border: 1px solid #e8d9a8; padding: .6rem .8rem; border-radius: 4px; }
  table { border-collapse: collapse; margin: .5rem 0 1.5rem; width: 100%; }
  th, td { border-bottom: 1px solid #dde2ea; padding: .3rem .6rem; text-align: left; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  #error { color: #a4161a; }
  form { margin: 1rem 0; }
  input[type=password] { width: 22rem; max-width: 100%; }
</style>
</head>
<body>
<h1>surfacemap</h1>
<p class="note">This is the interim status page: it shows what the collector has stored. The map, flow
table and exports come with the web UI, which will replace this page.</p>

<form id="login">
  <label>API token <input type="password" id="token" autocomplete="off" required></label>
  <button>Show stats</button>
  <small>Printed by <code>surfacemap start</code> on first start and stored in the data directory
  (<code>surfacemap-data/api-token</code>). Kept in this tab's session storage only.</small>
</form>
<p id="error" role="alert"></p>

<div id="stats" hidden>
  <p><button id="refresh">Refresh</button> <button id="forget">Forget token</button> <span id="when"></span></p>
  <h2>Flows by L4 protocol</h2>
  <table><thead><tr><th>protocol</th><th>flows</th><th>packets</th><th>bytes</th><th>first seen</th><th>last seen</th></tr></thead>
  <tbody id="protos"></tbody></table>
  <h2>Agents</h2>
  <table><thead><tr><th>agent</th><th>last contact</th><th>batches</th><th>records</th><th>spool backlog</th><th>packets</th><th>dropped</th></tr></thead>
  <tbody id="agents"></tbody></table>
  <p id="empty" hidden>No flows yet. Send some with <code>surfacemap replay FILE.pcap --collector URL</code>
  (token in <code>SURFACEMAP_AGENT_TOKEN</code>), run <code>surfacemap agent</code>, or start the
  server with <code>--demo</code> on an empty data directory.</p>
</div>

<script>
const KEY = 'surfacemap-api-token';
const $ = (id) => document.getElementById(id);
const fmt = (v) => (v === null || v === undefined ? '–' : typeof v === 'number' ? v.toLocaleString() : String(v));

function row(tbody, cells) {
  const tr = document.createElement('tr');
  for (const v of cells) {
    const td = document.createElement('td');
    td.textContent = fmt(v);
    if (typeof v === 'number') td.className = 'n';
    tr.appendChild(td);
  }
  tbody.appendChild(tr);
}

async function load() {
  const token = sessionStorage.getItem(KEY);
  $('login').hidden = !!token;
  $('stats').hidden = !token;
  if (!token) return;
  $('error').textContent = '';
  let res;
  try {
    res = await fetch('/api/v1/stats', { headers: { authorization: 'Bearer ' + token }, cache: 'no-store' });
  } catch (e) {
    $('error').textContent = 'The server does not answer: ' + e.message;
    return;
  }
  if (res.status === 401) {
    sessionStorage.removeItem(KEY);
    $('error').textContent = 'That token was refused. Use the API token printed by surfacemap start.';
    return load();
  }
  if (!res.ok) {
    $('error').textContent = 'GET /api/v1/stats failed: HTTP ' + res.status;
    return;
  }
  const s = await res.json();
  const protos = $('protos');
  const agents = $('agents');
  protos.replaceChildren();
  agents.replaceChildren();
  for (const p of s.by_proto) row(protos, [p.proto, p.flows, p.packets, p.bytes, p.first_seen, p.last_seen]);
  const t = s.totals;
  row(protos, ['all', t.flows, t.packets, t.bytes, t.first_seen, t.last_seen]);
  for (const a of s.agents) row(agents, [a.agent, a.last_contact, a.batches, a.records, a.spool_backlog, a.packets, a.dropped]);
  $('empty').hidden = t.flows > 0;
  $('when').textContent = 'store: ' + s.store.kind + ', as of ' + new Date().toLocaleTimeString();
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(KEY, $('token').value.trim());
  $('token').value = '';
  load();
});
$('refresh').addEventListener('click', load);
$('forget').addEventListener('click', () => { sessionStorage.removeItem(KEY); load(); });
load();
</script>
</body>
</html>
`;
