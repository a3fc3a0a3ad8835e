// What an administrator or auditor looks at first: the signed-in account, how many users
// there are, and the last day's refused sign-ins and recent events from the audit log.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type AuditEvent, type UserPage } from '../api';
import type { Session } from '../session';

interface Figures {
  users?: number;
  failedLogins?: number;
  recent?: AuditEvent[];
}

const kDay = 24 * 60 * 60;

export function Overview({ session }: { session: Session }) {
  const [figures, setFigures] = useState<Figures>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const fail = (e: unknown) => setError(e instanceof ApiError ? e.message : String(e));
    api.get<UserPage>('/api/users?page=1&limit=1')
      .then((page) => setFigures((f) => ({ ...f, users: page.pagination.total_records })), fail);
    if (session.actions.read_audit) {
      api.get<AuditEvent[]>('/api/users/audit?limit=1000').then((events) => {
        const since = Date.now() / 1000 - kDay;
        const failedLogins = events.filter((e) => e.event === 'login' && e.outcome !== 'success' && e.timestamp >= since).length;
        setFigures((f) => ({ ...f, failedLogins, recent: events.slice(0, 10) }));
      }, fail);
    }
  }, [session]);

  return (
    <>
      {error && <p role="alert" class="error">{error}</p>}
      <section class="cards" aria-label="Figures">
        <div class="card">
          <h2>Signed in as</h2>
          <p class="figure" data-testid="me">{session.me.username}</p>
          <p>role {session.me.role.name} (level {session.me.role.level})</p>
        </div>
        <div class="card">
          <h2>Users</h2>
          <p class="figure" data-testid="user-count">{figures.users ?? '…'}</p>
          <p>accounts (sudo accounts not counted)</p>
        </div>
        {session.actions.read_audit && (
          <div class="card">
            <h2>Refused sign-ins, last 24 h</h2>
            <p class="figure" data-testid="failed-logins">{figures.failedLogins ?? '…'}</p>
            <p>of the last 1,000 audit events</p>
          </div>
        )}
      </section>
      {session.actions.read_audit && figures.recent && (
        <section aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recent security events</h2>
          <div class="table-scroll">
            <table>
              <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Outcome</th></tr></thead>
              <tbody>
                {figures.recent.map((e, i) => (
                  <tr key={i}>
                    <td>{e.time}</td><td>{e.event}</td><td>{e.actor}</td><td>{e.target}</td>
                    <td class={`outcome ${e.outcome}`}>{e.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
