// Audit (admin, sudo, auditor): GET /api/users/audit filtered on the server by time, event,
// actor, target and outcome, newest first, 200 at a time with "Older events" paging on; an
// actor or target followed with one click; the chain verified by POST /api/users/audit/verify;
// the sealed trail exported by GET /api/users/audit/export (JSON lines or CSV).
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type AuditEvent, type ChainReport } from '../api';
import { routeQuery } from '../route';

interface Filter {
  from: string;  // datetime-local values, the browser's time zone
  to: string;
  event: string;
  actor: string;
  target: string;
  outcome: string;
}

const kNoFilter: Filter = { from: '', to: '', event: '', actor: '', target: '', outcome: '' };
const kPageSize = 200;
// Events the service records (docs/security-controls.md), offered while typing the event.
const kEvents = [
  'account_unlock', 'audit_chain_started', 'audit_export', 'audit_pruned', 'audit_read',
  'audit_verify', 'directory_sync', 'login', 'logout', 'logout_all', 'mfa_challenge',
  'mfa_confirm', 'mfa_enroll', 'mfa_recovery_code_used', 'mfa_recovery_codes', 'mfa_remove',
  'mfa_reset', 'overview_read', 'password_change', 'password_reset', 'role_add', 'role_change',
  'session_revoke', 'session_revoke_all', 'signature', 'signature_read', 'signup', 'tpt_create',
  'tpt_list', 'tpt_revoke', 'user_delete', 'user_edit',
];

// A link from another page may set the event, actor, target and outcome (see routeQuery).
function linkedFilter(): Filter {
  const query = routeQuery();
  const filter = { ...kNoFilter };
  for (const field of ['event', 'actor', 'target', 'outcome'] as const) filter[field] = query.get(field) ?? '';
  return filter;
}

// The API's query for a filter; `until` (Unix seconds) pages back from the oldest shown.
function auditQuery(f: Filter, until?: number): string {
  const query = new URLSearchParams({ limit: String(kPageSize) });
  const seconds = (local: string) => String(Math.floor(new Date(local).getTime() / 1000));
  if (f.from) query.set('since', seconds(f.from));
  if (until !== undefined) query.set('until', String(until));
  else if (f.to) query.set('until', seconds(f.to));
  for (const field of ['event', 'actor', 'target', 'outcome'] as const) if (f[field]) query.set(field, f[field]);
  return `/api/users/audit?${query}`;
}

function Verify() {
  const [report, setReport] = useState<ChainReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const verify = () => {
    setBusy(true);
    setError(null);
    api.post<ChainReport>('/api/users/audit/verify').then(setReport, (e) => setError(messageOf(e))).finally(() => setBusy(false));
  };
  return (
    <div>
      <button type="button" onClick={verify} disabled={busy}>{busy ? 'Verifying…' : 'Verify the chain'}</button>
      <div role="status" data-testid="verify-result">
        {error && <p class="error">{error}</p>}
        {report && (report.intact
          ? <p class="ok">Intact: {report.events_checked.toLocaleString('en')} events, seq {report.first_seq} to {report.last_seq}. Head MAC <code>{report.head_mac}</code> (keep it elsewhere to notice a later cut-off).</p>
          : <p class="error">BROKEN ({report.problem?.kind}) at seq {report.problem?.seq}: {report.problem?.detail}. {report.events_checked.toLocaleString('en')} events verified before it.</p>)}
      </div>
    </div>
  );
}

export function Audit() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>(linkedFilter);

  // Typing in a field asks again after a short pause, not at every key.
  useEffect(() => {
    const timer = window.setTimeout(() => {
      api.get<AuditEvent[]>(auditQuery(filter)).then((found) => {
        setEvents(found);
        setMore(found.length === kPageSize);
        setError(null);
      }, (e) => setError(messageOf(e)));
    }, 250);
    return () => window.clearTimeout(timer);
  }, [filter]);

  // Events sharing the oldest shown second come again: those already shown are skipped.
  const older = () => {
    if (!events || events.length === 0) return;
    const oldest = events[events.length - 1].timestamp;
    api.get<AuditEvent[]>(auditQuery(filter, oldest)).then((found) => {
      const sameSecond = events.filter((e) => e.timestamp === oldest).length;
      setEvents([...events, ...found.slice(sameSecond)]);
      setMore(found.length === kPageSize);
    }, (e) => setError(messageOf(e)));
  };

  const set = (field: keyof Filter) => (event: Event) =>
    setFilter({ ...filter, [field]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  const follow = (field: 'actor' | 'target', value: string) => (
    <button type="button" class="link" aria-label={`Only events with ${field} ${value}`}
      onClick={() => setFilter({ ...filter, [field]: value })}>{value}</button>
  );
  return (
    <>
      {error && <p role="alert" class="error">{error}</p>}
      <section class="panel" aria-labelledby="filter-heading">
        <h2 id="filter-heading">Filter</h2>
        <form class="grid-form" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
          <label>From <input type="datetime-local" name="from" value={filter.from} onInput={set('from')} /></label>
          <label>To <input type="datetime-local" name="to" value={filter.to} onInput={set('to')} /></label>
          <label>Event <input name="event" list="audit-events" value={filter.event} onInput={set('event')} autocomplete="off" /></label>
          <datalist id="audit-events">{kEvents.map((k) => <option key={k} value={k} />)}</datalist>
          <label>Actor <input name="actor" value={filter.actor} onInput={set('actor')} autocomplete="off" /></label>
          <label>Target <input name="target" value={filter.target} onInput={set('target')} autocomplete="off" /></label>
          <label>Outcome
            <select name="outcome" value={filter.outcome} onChange={set('outcome')}>
              <option value="">any</option><option>success</option><option>failure</option><option>denied</option><option>throttled</option>
            </select>
          </label>
          <button type="button" onClick={() => setFilter(kNoFilter)}>Clear</button>
        </form>
      </section>
      <section class="panel" aria-labelledby="export-heading">
        <h2 id="export-heading">Verify and export</h2>
        <Verify />
        <p>
          The sealed trail with each event's sequence number and MAC:{' '}
          <a href="/api/users/audit/export?format=jsonl" download="audit.jsonl">JSON lines</a>{' · '}
          <a href="/api/users/audit/export?format=csv" download="audit.csv">CSV</a>{' '}
          <span class="muted">(10,000 events from the first; the export is itself audited)</span>.
        </p>
      </section>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Events <span class="muted" data-testid="audit-count">({events?.length ?? 0}{more ? '+' : ''})</span></h2>
        <div class="table-scroll">
          <table data-testid="audit">
            <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Address</th><th scope="col">Outcome</th><th scope="col">Reason</th></tr></thead>
            <tbody>
              {(events ?? []).map((e, i) => (
                <tr key={i}>
                  <td>{e.time}</td><td>{e.event}</td>
                  <td>{e.actor && follow('actor', e.actor)}</td><td>{e.target && follow('target', e.target)}</td>
                  <td>{e.address}</td><td class={`outcome ${e.outcome}`}>{e.outcome}</td><td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {more && <button type="button" onClick={older}>Older events</button>}
      </section>
    </>
  );
}
