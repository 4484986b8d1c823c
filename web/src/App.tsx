import { Login } from './components/Login';
import { Shell } from './components/Shell';
import { useSession } from './state/session';

export function App() {
  const session = useSession();
  if (!session.signedIn) return <Login notice={session.notice} />;
  return <Shell />;
}
