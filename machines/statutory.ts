// The statutory floor, applied to every measure whose legal basis falls under it. Law, not a
// municipal choice: the stricter of this and the municipality's own rule governs, and a soft
// municipal rule never replaces it (machines/deadlines.ts).
import type { MeasureTypePolicy, TimerRule } from '../policies/types';

/** Barnets Lov § 95 stk. 1: the paragraphs whose measures the municipality must follow up on:
 *  supportive measures (§ 32), placements (§§ 46, 47) and aftercare (§§ 114-116, 120). */
export const SECTION_95_PARAGRAPHS: readonly number[] = [32, 46, 47, 114, 115, 116, 120];

/** Placements: § 96 says how their follow-up is made. */
const PLACEMENT_PARAGRAPHS: readonly number[] = [46, 47];

/** The paragraphs a measure type is granted under; a policy stored before `blParagraphs` existed
 *  said only whether the floor applied (it was applied to § 32 measures). */
export function paragraphsOf(t: Pick<MeasureTypePolicy, 'blParagraphs' | 'statutoryFollowUp'>): readonly number[] {
  return t.blParagraphs ?? (t.statutoryFollowUp ? [32] : []);
}

export function underSection95(t: Pick<MeasureTypePolicy, 'blParagraphs' | 'statutoryFollowUp'>): boolean {
  return paragraphsOf(t).some((p) => SECTION_95_PARAGRAPHS.includes(p));
}

/** Barnets Lov § 95 stk. 2: the first follow-up within 3 months of the measure's start (formerly
 *  SEL § 70). The rhythm after that is set case by case (stk. 3), so there is no recurring floor. */
export const STATUTORY_FIRST_FOLLOW_UP: TimerRule = {
  after: 'P3M',
  from: 'start',
  strength: 'hard',
  source: {
    kind: 'statute',
    paragraph: 'Barnets Lov § 95',
    note: 'første opfølgning senest 3 måneder efter iværksættelse (tidligere SEL § 70)',
  },
};

/** For a placed child § 96 adds how: together with the supervision (tilsyn), after contact with
 *  the custody holder. The date is § 95's. */
const PLACEMENT_FIRST_FOLLOW_UP: TimerRule = {
  ...STATUTORY_FIRST_FOLLOW_UP,
  source: {
    kind: 'statute',
    paragraph: 'Barnets Lov § 95, jf. § 96',
    note: 'første opfølgning senest 3 måneder efter anbringelsen, set i sammenhæng med tilsynet og efter kontakt med forældremyndighedens indehaver',
  },
};

/** The statutory first follow-up of a measure type, or null when its legal basis has none. */
export function statutoryFirstFollowUp(
  t: Pick<MeasureTypePolicy, 'blParagraphs' | 'statutoryFollowUp'>,
): TimerRule | null {
  if (!underSection95(t)) return null;
  const ps = paragraphsOf(t);
  return ps.some((p) => PLACEMENT_PARAGRAPHS.includes(p)) && !ps.includes(32)
    ? PLACEMENT_FIRST_FOLLOW_UP
    : STATUTORY_FIRST_FOLLOW_UP;
}
