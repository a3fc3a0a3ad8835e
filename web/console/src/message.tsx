// What every form of the console shows after it acted: success as a status, a refusal (the
// API's own message) as an alert, for screen readers too.

export type Note = { ok: boolean; text: string } | null;

export function Message({ note }: { note: Note }) {
  if (!note) return null;
  return <p role={note.ok ? 'status' : 'alert'} class={note.ok ? 'ok' : 'error'}>{note.text}</p>;
}

// A submitted form's fields by name; the browser's own submission is stopped.
export function formFields(event: Event): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries(new FormData(event.currentTarget as HTMLFormElement)) as Record<string, string>;
}
