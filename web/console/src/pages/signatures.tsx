// Signatures (everyone): the electronic signatures of a record (GET /api/signatures with
// record_type and record_id), or the newest ones, each with its meaning, signer, time, seal
// check and verification. Admin, sudo and auditor see everyone's; others their own (the API
// decides). Signing happens in the application that shows the record, not here.
import { useEffect, useState } from 'preact/hooks';
import { api, messageOf } from '../api';
import { formFields } from '../message';

interface SignatureRow {
  id: string;
  username: string;
  printed_name: string;
  role: string;
  meaning: string;
  signed_at: string;
  record_type: string;
  record_id: string;
  comment: string;
  verifies: string | null;
  intact: boolean;
  verification_required?: boolean;
  verification?: { username: string; printed_name: string; signed_at: string } | null;
}

function state(s: SignatureRow): string {
  if (!s.intact) return 'seal BROKEN';
  if (s.verifies) return `verifies ${s.verifies}`;
  if (s.verification) return `verified by ${s.verification.printed_name || s.verification.username}, ${s.verification.signed_at} UTC`;
  return s.verification_required ? 'awaiting verification' : 'sealed';
}

export function Signatures() {
  const [record, setRecord] = useState<{ type: string; id: string } | null>(null);
  const [rows, setRows] = useState<SignatureRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const query = new URLSearchParams({ limit: '100' });
    if (record) {
      query.set('record_type', record.type);
      query.set('record_id', record.id);
    }
    api.get<SignatureRow[]>(`/api/signatures?${query}`).then((found) => { setRows(found); setError(null); },
      (e) => setError(messageOf(e)));
  }, [record]);
  const look = (event: Event) => {
    const f = formFields(event);
    setRecord(f.record_type || f.record_id ? { type: f.record_type, id: f.record_id } : null);
  };
  return (
    <>
      <section class="panel" aria-labelledby="record-heading">
        <h2 id="record-heading">A record's signatures</h2>
        <form class="grid-form" aria-label="Find a record's signatures" onSubmit={look}>
          <label>Record type <input name="record_type" autocomplete="off" /></label>
          <label>Record id <input name="record_id" autocomplete="off" /></label>
          <button class="primary" type="submit">Show</button>
        </form>
      </section>
      {error && <p role="alert" class="error">{error}</p>}
      <section aria-labelledby="signatures-heading">
        <h2 id="signatures-heading">
          {record ? `Signatures of ${record.type} ${record.id}` : 'Newest signatures'}{' '}
          {rows && <span class="muted" data-testid="signatures-count">({rows.length})</span>}
        </h2>
        <div class="table-scroll">
          <table data-testid="signatures">
            <thead><tr><th scope="col">Signed (UTC)</th><th scope="col">Signer</th><th scope="col">Meaning</th><th scope="col">Record</th><th scope="col">Comment</th><th scope="col">State</th></tr></thead>
            <tbody>
              {rows?.map((s) => (
                <tr key={s.id}>
                  <td>{s.signed_at}</td>
                  <td>{s.printed_name || s.username} <span class="muted">({s.username}, {s.role})</span></td>
                  <td>{s.meaning}</td>
                  <td>{s.record_type} {s.record_id}</td>
                  <td>{s.comment}</td>
                  <td class={s.intact ? '' : 'error'}>{state(s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
