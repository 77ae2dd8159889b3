// Numbers and dates as Danes write them: "66,7 %", "05.03.2026".
const pct = new Intl.NumberFormat('da-DK', { style: 'percent', maximumFractionDigits: 1 });

/** "66,7 %" (with a no-break space, as Danish typography has it); "–" when nothing counts. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : pct.format(rate);
}

export function danishDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}
