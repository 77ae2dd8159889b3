// CPR numbers (the Danish personal identity number: ddmmyy-xxxx) must never become an identifier:
// identifiers end up in workflow ids, search attributes, logs and Temporal's update ids. Anything
// that looks like one is refused, and the stored copy of what arrived has it masked.

/** ddmmyy, optionally a hyphen, then four digits, not inside a longer run of digits. */
const CANDIDATE = /(?<!\d)(\d{2})(\d{2})(\d{2})-?(\d{4})(?!\d)/g;

function validDayMonth(dd: number, mm: number, yy: number): boolean {
  if (mm < 1 || mm > 12 || dd < 1) return false;
  // Any century: 29 February is accepted for every yy divisible by 4 (2000 was a leap year).
  const days = [31, yy % 4 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1];
  return dd <= days;
}

/** Does the text contain something shaped like a CPR number with a valid date part? */
export function looksLikeCpr(text: string): boolean {
  for (const m of text.matchAll(CANDIDATE)) {
    if (validDayMonth(Number(m[1]), Number(m[2]), Number(m[3]))) return true;
  }
  return false;
}

export const CPR_MASK = '[cpr-fjernet]';

/** The text with every CPR-shaped part masked. */
export function maskCpr(text: string): string {
  return text.replace(CANDIDATE, (all, dd: string, mm: string, yy: string) =>
    validDayMonth(Number(dd), Number(mm), Number(yy)) ? CPR_MASK : all,
  );
}

/** A JSON value with CPR-shaped parts of every string (and key) masked. */
export function maskCprDeep(v: unknown): unknown {
  if (typeof v === 'string') return maskCpr(v);
  if (Array.isArray(v)) return v.map(maskCprDeep);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [maskCpr(k), maskCprDeep(x)]));
  return v;
}

/** The identifiers of an event (as received, before validation) that look like CPR numbers: the
 *  envelope's id, source and subject, and every `…Id` field of its data. Paths only: the value is
 *  personal data and is not repeated back. */
export function cprInIdentifiers(item: unknown): string[] {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return [];
  const o = item as Record<string, unknown>;
  const paths: string[] = [];
  for (const k of ['id', 'source', 'subject', 'municipality'])
    if (typeof o[k] === 'string' && looksLikeCpr(o[k])) paths.push(k);
  const data = o.data;
  if (data && typeof data === 'object' && !Array.isArray(data))
    for (const [k, v] of Object.entries(data))
      if (
        /(Id|Ids)$/.test(k) &&
        (typeof v === 'string'
          ? looksLikeCpr(v)
          : Array.isArray(v) && v.some((x) => typeof x === 'string' && looksLikeCpr(x)))
      )
        paths.push(`data.${k}`);
  return paths;
}

export const CPR_REFUSAL =
  'ligner et CPR-nummer; identifikatorer må ikke indeholde personnumre (looks like a CPR number: identifiers must not carry personal identity numbers)';
