/** The console's JSON, read with the session cookie; a 401 sends the browser to log in. */
export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (res.status === 401) {
    location.href = '/ui/login';
    throw new Error('not logged in');
  }
  if (!res.ok)
    throw new Error(
      ((await res.json().catch(() => ({}))) as { message?: string }).message ?? `HTTP ${res.status}`,
    );
  return (await res.json()) as T;
}

/** Calls `onChange` whenever the server says something shown changed (server-sent events). */
export function followChanges(onChange: () => void, onState: (live: boolean) => void): () => void {
  const source = new EventSource('/ui/api/events');
  source.addEventListener('change', onChange);
  source.onopen = () => onState(true);
  source.onerror = () => onState(false);
  return () => source.close();
}
