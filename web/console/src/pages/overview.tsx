// What an administrator or auditor looks at first: the signed-in account, how many users
// there are, the service's figures from GET /api/overview (live sessions, the last day's
// failed and throttled sign-ins, locked accounts, the audit chain and its capacity), each
// linking to the page where one acts on it, and the recent events from the audit log.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type AuditEvent, type ServiceOverview, type UserPage } from '../api';
import type { Session } from '../session';

interface Figures {
  users?: number;
  service?: ServiceOverview;
  recent?: AuditEvent[];
}

function Card({ title, figure, testId, href, children }: {
  title: string; figure: string | number | undefined; testId: string; href: string; children?: ComponentChildren;
}) {
  return (
    <div class="card">
      <h2><a href={href}>{title}</a></h2>
      <p class="figure" data-testid={testId}>{figure ?? '…'}</p>
      {children}
    </div>
  );
}

// The share of AUTOMATION_AUDIT_MAX_EVENTS, or a dash when no limit is set.
function share(audit: ServiceOverview['audit']): string {
  return audit.capacity_percent === null ? '–' : `${audit.capacity_percent} %`;
}

function capacity(audit: ServiceOverview['audit']): string {
  if (audit.events_stored === null) return 'not counted yet';
  const share = audit.capacity_percent === null ? 'no limit set' : `${audit.capacity_percent} % of the limit`;
  return `${audit.events_stored.toLocaleString('en')} events at the last hourly count, ${share}`;
}

export function Overview({ session }: { session: Session }) {
  const [figures, setFigures] = useState<Figures>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const fail = (e: unknown) => setError(e instanceof ApiError ? e.message : String(e));
    api.get<UserPage>('/api/users?page=1&limit=1')
      .then((page) => setFigures((f) => ({ ...f, users: page.pagination.total_records })), fail);
    if (session.actions.read_overview) {
      api.get<ServiceOverview>('/api/overview').then((service) => setFigures((f) => ({ ...f, service })), fail);
    }
    if (session.actions.read_audit) {
      api.get<AuditEvent[]>('/api/users/audit?limit=10').then((recent) => setFigures((f) => ({ ...f, recent })), fail);
    }
  }, [session]);

  const service = figures.service;
  return (
    <>
      {error && <p role="alert" class="error">{error}</p>}
      <section class="cards" aria-label="Figures">
        <div class="card">
          <h2>Signed in as</h2>
          <p class="figure" data-testid="me">{session.me.username}</p>
          <p>role {session.me.role.name} (level {session.me.role.level})</p>
        </div>
        <Card title="Users" figure={figures.users} testId="user-count" href="#/users">
          <p>accounts (sudo accounts not counted)</p>
        </Card>
        {session.actions.read_overview && (
          <>
            <Card title="Live sessions" figure={service?.live_sessions ?? undefined} testId="live-sessions" href="#/users">
              <p>signed in now, all users</p>
            </Card>
            <Card title="Failed sign-ins, 24 h" figure={service?.logins.failed} testId="failed-logins"
              href="#/audit?event=login&outcome=failure">
              <p>audited (a burst of repeats counts once)</p>
            </Card>
            <Card title="Throttled sign-ins, 24 h" figure={service?.logins.throttled} testId="throttled-logins"
              href="#/audit?event=login&outcome=throttled">
              <p>audited refusals by the login throttle</p>
            </Card>
            <Card title="Locked accounts" figure={service?.locked_accounts} testId="locked-accounts" href="#/users">
              <p>failed sign-ins fill the account limit now; unlock on Users</p>
            </Card>
            <Card title="Audit chain" figure={service ? `#${service.audit.head_seq}` : undefined} testId="audit-head" href="#/audit">
              <p>{service && (service.audit.anchor_seq > 0
                ? `sealed events ${service.audit.anchor_seq + 1} to ${service.audit.head_seq} (older ones removed by retention)`
                : `sealed events 1 to ${service.audit.head_seq}`)}</p>
              <p data-testid="audit-verified">{service && (service.audit.last_verification
                ? (service.audit.last_verification.intact
                  ? `verified intact up to #${service.audit.last_verification.seq}, ${service.audit.last_verification.time} UTC, by ${service.audit.last_verification.by}`
                  : `BROKEN at #${service.audit.last_verification.seq} (found ${service.audit.last_verification.time} UTC)`)
                : 'not verified from the console yet: Audit → Verify the chain')}</p>
            </Card>
            <Card title="Audit capacity" figure={service && share(service.audit)}
              testId="audit-capacity" href="#/audit">
              <p data-testid="audit-capacity-detail">{service && capacity(service.audit)}</p>
              {!!service?.audit.write_failures && <p class="error">{service.audit.write_failures} events could not be written</p>}
            </Card>
          </>
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
