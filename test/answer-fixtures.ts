/**
 * Answers the tests share, written out by hand (not derived from the questions table, so that
 * the rules are checked against an independent reading of them).
 */
import type { Answers } from '../src/domain/questions.ts';

/** A new-account customer who opened in person, set the password, no one operates the account, not brought by staff. */
export const COMPLIANT_NEW_ACCOUNT = {
  'na.opened-in-person': 'yes',
  'na.password-set-personally': 'yes',
  'na.staff-operated-account': 'no',
  'na.discretionary-mandate': 'no',
  'na.risks-disclosed': 'yes',
  'na.brought-by-staff': 'no',
  satisfaction: 'satisfied',
} as const satisfies Answers;
