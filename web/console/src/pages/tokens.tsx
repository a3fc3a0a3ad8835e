// Third-party tokens (sudo): create one (POST /api/users/create_tpt; the token is shown once,
// with a copy button), list them (GET /api/users/tpts) and revoke (DELETE /api/users/tpts/<jti>).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf, type Role, type TptRecord } from '../api';
import { Message, type Note, formFields } from '../message';

export function Tokens() {
  const [tokens, setTokens] = useState<TptRecord[] | null>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [created, setCreated] = useState<string | null>(null);
  const [note, setNote] = useState<Note>(null);
  const load = () => { api.get<TptRecord[]>('/api/users/tpts').then(setTokens, (e) => setNote({ ok: false, text: messageOf(e) })); };
  useEffect(() => {
    load();
    api.get<Role[]>('/api/users/roles').then(setRoles, () => setRoles([]));
  }, []);

  const create = async (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const f = formFields(event);
    const body: Record<string, unknown> = { role_name: f.role_name, description: f.description };
    if (f.expires_in_days) body.expires_in = Number(f.expires_in_days) * 86400;
    try {
      const answer = await api.post<{ token: string; jti: string }>('/api/users/create_tpt', body);
      setCreated(answer.token);
      setNote({ ok: true, text: `Token ${answer.jti} created` });
      form.reset();
      load();
    } catch (e) {
      setNote({ ok: false, text: messageOf(e) });
    }
  };
  const revoke = async (jti: string) => {
    if (!window.confirm(`Revoke token ${jti}? Whatever uses it stops working.`)) return;
    try {
      await api.del(`/api/users/tpts/${encodeURIComponent(jti)}`);
      setNote({ ok: true, text: `Token ${jti} revoked` });
      load();
    } catch (e) {
      setNote({ ok: false, text: messageOf(e) });
    }
  };
  return (
    <>
      <section class="panel" aria-labelledby="create-token-heading">
        <h2 id="create-token-heading">Create a token</h2>
        <p class="muted">For another system (a historian, a gateway) that calls the API with a role of its own.</p>
        <form class="grid-form" aria-label="Create a token" onSubmit={create}>
          <label>Role
            <select name="role_name">{roles.filter((r) => r.level > 0).map((r) => <option key={r.name}>{r.name}</option>)}</select>
          </label>
          <label>Description <input name="description" autocomplete="off" /></label>
          <label>Expires after (days) <input name="expires_in_days" type="number" min={1} step={1} placeholder="never" /></label>
          <button class="primary" type="submit">Create</button>
        </form>
      </section>
      <Message note={note} />
      {created && <CreatedToken token={created} onDone={() => setCreated(null)} />}
      <section aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Tokens {tokens && <span class="muted">({tokens.length})</span>}</h2>
        <div class="table-scroll">
          <table data-testid="tokens">
            <thead><tr><th scope="col">Id</th><th scope="col">Role</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {tokens?.map((t) => (
                <tr key={t.jti}>
                  <td><code>{t.jti}</code></td><td>{t.role}</td><td>{t.description}</td>
                  <td>{t.created_on} by {t.created_by}</td><td>{t.expires_on ?? 'never'}</td>
                  <td>{t.revoked ? 'revoked' : 'active'}</td>
                  <td>{!t.revoked && <button type="button" class="danger" aria-label={`Revoke ${t.jti}`} onClick={() => revoke(t.jti)}>Revoke</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

// The new token, this once: selectable, with a copy button. The clipboard API exists only
// on secure origins (HTTPS, localhost); elsewhere the field is selected for Ctrl+C.
function CreatedToken({ token, onDone }: { token: string; onDone: () => void }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied('Copied');
    } catch {
      field.current?.select();
      setCopied('Selected: press Ctrl+C to copy');
    }
  };
  return (
    <section class="panel" aria-labelledby="new-token-heading" data-testid="new-token">
      <h2 id="new-token-heading">The new token</h2>
      <p>Shown this once: copy it now into the system that will use it.</p>
      <div class="grid-form">
        <label>Token <input ref={field} readOnly value={token} size={48} data-testid="token-value" onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} /></label>
        <button type="button" class="primary" onClick={copy}>Copy</button>
        <button type="button" onClick={onDone}>Done</button>
      </div>
      {copied && <p role="status" class="ok">{copied}</p>}
    </section>
  );
}
