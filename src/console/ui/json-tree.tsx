/** A JSON value as a collapsible tree, with the keys and values that contain `search` marked. */
import type { ComponentChildren } from 'preact';

function marked(text: string, search: string): ComponentChildren {
  if (!search) return text;
  const i = text.toLowerCase().indexOf(search);
  if (i < 0) return text;
  return (
    <>
      {text.slice(0, i)}
      <span class="hit">{text.slice(i, i + search.length)}</span>
      {text.slice(i + search.length)}
    </>
  );
}

export function JsonTree(props: { value: unknown; label?: string; search: string; open?: boolean }) {
  const { value, label, search } = props;
  const key = label === undefined ? null : <span class="k">{marked(label, search)}: </span>;
  if (value === null || typeof value !== 'object')
    return (
      <div>
        {key}
        {marked(JSON.stringify(value), search)}
      </div>
    );
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  const containsHit = search !== '' && JSON.stringify(value).toLowerCase().includes(search);
  return (
    <details open={props.open || containsHit}>
      <summary>
        {key}
        {Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`}
      </summary>
      {entries.map(([k, v]) => (
        <JsonTree value={v} label={k} search={search} />
      ))}
    </details>
  );
}
