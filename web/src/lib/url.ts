/** This page's address with `?name=` set (or removed when null), keeping the other parameters (?lang=). */
export function hrefWith(name: string, value: string | null): string {
  const url = new URL(location.href);
  if (value) url.searchParams.set(name, value);
  else url.searchParams.delete(name);
  return url.pathname + url.search;
}

/** The current value of `?name=`. */
export const queryParam = (name: string): string | null => new URLSearchParams(location.search).get(name);
