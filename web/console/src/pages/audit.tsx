// Audit (admin, sudo, auditor): the newest 1,000 events of GET /api/users/audit, narrowed in
// the page by time, event, actor, target and outcome; an actor or target followed with one
// click; the sealed trail exported by GET /api/users/audit/export (JSON lines or CSV).
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf, type AuditEvent } from '../api';
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

// A link from another page may set the event, actor, target and outcome (see routeQuery).
function linkedFilter(): Filter {
  const query = routeQuery();
  const filter = { ...kNoFilter };
  for (const field of ['event', 'actor', 'target', 'outcome'] as const) filter[field] = query.get(field) ?? '';
  return filter;
}

function matches(e: AuditEvent, f: Filter): boolean {
  const seconds = (local: string) => new Date(local).getTime() / 1000;
  return (!f.from || e.timestamp >= seconds(f.from))
    && (!f.to || e.timestamp <= seconds(f.to))
    && (!f.event || e.event === f.event)
    && (!f.actor || e.actor === f.actor)
    && (!f.target || e.target === f.target)
    && (!f.outcome || e.outcome === f.outcome);
}

export function Audit() {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<Filter>(linkedFilter);
  useEffect(() => { api.get<AuditEvent[]>('/api/users/audit?limit=1000').then(setEvents, (e) => setError(messageOf(e))); }, []);

  const set = (field: keyof Filter) => (event: Event) =>
    setFilter({ ...filter, [field]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  const shown = events?.filter((e) => matches(e, filter)) ?? [];
  const kinds = [...new Set(events?.map((e) => e.event) ?? [])].sort();
  const follow = (field: 'actor' | 'target', value: string) => (
    <button type="button" class="link" aria-label={`Only events with ${field} ${value}`}
      onClick={() => setFilter({ ...filter, [field]: value })}>{value}</button>
  );
  return (
    <>
      {error && <p role="alert" class="error">{error}</p>}
      <section class="panel" aria-labelledby="filter-heading">
        <h2 id="filter-heading">Filter <span class="muted">(the newest 1,000 events)</span></h2>
        <form class="grid-form" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
          <label>From <input type="datetime-local" name="from" value={filter.from} onInput={set('from')} /></label>
          <label>To <input type="datetime-local" name="to" value={filter.to} onInput={set('to')} /></label>
          <label>Event
            <select name="event" value={filter.event} onChange={set('event')}>
              <option value="">any</option>{kinds.map((k) => <option key={k}>{k}</option>)}
            </select>
          </label>
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
        <h2 id="export-heading">Export and verify</h2>
        <p>
          The sealed trail with each event's sequence number and MAC:{' '}
          <a href="/api/users/audit/export?format=jsonl" download="audit.jsonl">JSON lines</a>{' · '}
          <a href="/api/users/audit/export?format=csv" download="audit.csv">CSV</a>{' '}
          <span class="muted">(10,000 events from the first; the export is itself audited)</span>.
          The chain is verified on the server with <code>automation audit verify</code>, or by
          checking each row's MAC with the audit key.
        </p>
      </section>
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">Events <span class="muted" data-testid="audit-count">({shown.length} of {events?.length ?? 0})</span></h2>
        <div class="table-scroll">
          <table data-testid="audit">
            <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Address</th><th scope="col">Outcome</th><th scope="col">Reason</th></tr></thead>
            <tbody>
              {shown.map((e, i) => (
                <tr key={i}>
                  <td>{e.time}</td><td>{e.event}</td>
                  <td>{e.actor && follow('actor', e.actor)}</td><td>{e.target && follow('target', e.target)}</td>
                  <td>{e.address}</td><td class={`outcome ${e.outcome}`}>{e.outcome}</td><td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
