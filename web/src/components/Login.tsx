// The API token form. The token is checked against GET /api/v1/stats before it is kept (sessionStorage,
// this tab only) and is only ever sent as an Authorization header.
import { useState, type FormEvent } from 'react';
import { NetworkError, UnauthorizedError, ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { signIn } from '../state/session';
import { Logo } from './icons';

export function Login({ notice }: { notice: string | null }) {
  const [token, setTokenText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (t === '') {
      setError('Paste the API token first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.stats(t);
      setTokenText('');
      signIn(t);
    } catch (err) {
      if (err instanceof UnauthorizedError) setError(`That token was refused (${err.message}). Use the API token printed by surfacemap start.`);
      else if (err instanceof NetworkError) setError(`The server is not reachable: ${err.message}. Check that surfacemap start is running.`);
      else if (err instanceof ApiError) setError(`The server answered ${err.status}: ${err.message}`);
      else setError(String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="login-brand">
          <Logo size={36} />
          <span>surfacemap</span>
        </div>
        <h1 id="login-title">Sign in</h1>
        <p className="muted">Which flows touch your crown jewels, and which of them cross a trust boundary.</p>
        {notice && (
          <p className="notice-inline" role="status">
            {notice}
          </p>
        )}
        <label className="stacked">
          <span>API token</span>
          <input
            type="password"
            name="token"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setTokenText(e.target.value)}
            aria-describedby="token-help"
            aria-invalid={error ? true : undefined}
            autoFocus
          />
        </label>
        <p id="token-help" className="help">
          Printed once by <code>surfacemap start</code> and stored in <code>surfacemap-data/api-token</code>. Kept in this
          tab's session storage only, sent as a header, never in a URL.
        </p>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
