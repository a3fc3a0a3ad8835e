import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, signOut } from './api';
import { kPages } from './pages';
import { useRoute } from './route';
import { loadSession, type Session } from './session';
import { Overview } from './pages/overview';
import { Users } from './pages/users';
import { Audit } from './pages/audit';
import { Roles } from './pages/roles';
import { Signatures } from './pages/signatures';
import { Tokens } from './pages/tokens';
import { Account } from './pages/account';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    loadSession().then(setSession, (e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, []);
  // A keyboard user lands on the new page's heading, not at the top of the navigation.
  useEffect(() => heading.current?.focus(), [route]);

  if (error) return <main class="page"><p role="alert" class="error">{error}</p></main>;
  if (!session) return <main class="page"><p aria-live="polite">Loading…</p></main>;

  const pages = kPages.filter((page) => page.visible(session.actions));
  const page = pages.find((candidate) => candidate.id === route) ?? pages[0];
  return (
    <>
      <a class="skip" href="#content">Skip to content</a>
      <header class="bar">
        <span class="brand">automation</span>
        <nav aria-label="Console">
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page.id ? 'page' : undefined}>{p.title}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="signout">
          <span class="who">{session.me.username} <span class="role">({session.me.role.name})</span></span>
          <button type="button" onClick={() => { signOut(); }}>Sign out</button>
        </div>
      </header>
      <main id="content" class="page">
        <h1 tabIndex={-1} ref={heading}>{page.title}</h1>
        {page.id === 'overview' && <Overview session={session} />}
        {page.id === 'users' && <Users session={session} />}
        {page.id === 'audit' && <Audit />}
        {page.id === 'signatures' && <Signatures />}
        {page.id === 'roles' && <Roles session={session} />}
        {page.id === 'tokens' && <Tokens />}
        {page.id === 'account' && <Account session={session} />}
      </main>
    </>
  );
}
