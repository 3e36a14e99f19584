import { Fragment } from 'react';

/**
 * An image reference that wraps where a reader would break it: after a `/` of its path, before
 * its `:tag` or `@digest`, before a registry's `:port`. A part longer than the cell (a digest) still breaks anywhere.
 */
export function ImageRef({ value, className = '' }: { value: string; className?: string }) {
  const parts = refParts(value);
  return (
    <span className={`[overflow-wrap:anywhere] ${className}`}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}

/** `registry:5000/team/app:1.2@sha256:…` → `registry`, `:5000/`, `team/`, `app`, `:1.2`, `@sha256:…`. */
export function refParts(value: string): string[] {
  const at = value.indexOf('@');
  const name = at < 0 ? value : value.slice(0, at);
  // a registry's port may break from its host (127.0.0.1 / :5000/) rather than inside a number
  const path = name.split(/(?<=\/)/).flatMap((part, i, all) => (i < all.length - 1 ? part.split(/(?=:)/) : [part]));
  const last = path.pop() ?? '';
  const colon = last.indexOf(':');
  const tail = colon <= 0 ? [last] : [last.slice(0, colon), last.slice(colon)];
  return [...path, ...tail, ...(at < 0 ? [] : [value.slice(at)])].filter(Boolean);
}
