// What PostgreSQL's jsonb can hold. It refuses a NUL character (\u0000) and a lone UTF-16
// surrogate anywhere in a string or key, and very deep nesting exhausts its stack; text refuses NUL
// bytes too. JSON.stringify escapes both (\u0000, \ud800), so escaped JSON text always fits a text
// column. The depth bound is ours: far beyond any real event, well inside PostgreSQL's stack.
export const MAX_JSONB_DEPTH = 256;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const fits = (s: string) => !s.includes('\0') && !LONE_SURROGATE.test(s);

/** True when `value` (as JSON.parse returns it) can be stored as jsonb as it is. Iterative: a
 *  hostile depth cannot overflow our stack either. */
export function fitsJsonb(value: unknown): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (!fits(v)) return false;
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSONB_DEPTH) return false;
      if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
      else
        for (const [k, x] of Object.entries(v)) {
          if (!fits(k)) return false;
          stack.push([x, depth + 1]);
        }
    }
  }
  return true;
}

/** The same value with NUL characters and lone surrogates replaced by U+FFFD: for what we write
 *  ourselves (answers), which may quote input and must never fail to store. */
export function jsonbSafe<T>(value: T): T {
  return fitsJsonb(value) ? value : (clean(value) as T);
}

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
function clean(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.replaceAll('\0', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_JSONB_DEPTH) return '(too deep)';
  if (Array.isArray(v)) return v.map((x) => clean(x, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k), clean(x, depth + 1)]));
}
