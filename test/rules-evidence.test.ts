import { describe, expect, it } from 'vitest';
import {
  checkEvidence,
  EVIDENCE_TABLE,
  type EvidenceDocument,
  type VisitEvidenceRecord,
} from '../src/domain/evidence.ts';

const sha = (c: string) => c.repeat(64);
const doc = (kind: string, role = 'received', over: Partial<EvidenceDocument> = {}): EvidenceDocument => ({
  kind,
  role,
  sha256: sha(kind.length.toString(16).slice(-1)),
  fileName: `${kind}.bin`,
  retrievable: true,
  ...over,
});
const mark = (present: boolean | null) => ({ present });

/** A complete record for each channel: every rule passes on it. */
function complete(
  channel: VisitEvidenceRecord['channel'],
  customerKind: VisitEvidenceRecord['customerKind'] = 'individual',
): VisitEvidenceRecord {
  const base = {
    visitId: 'HF-7K3M9-Q2T4X',
    category: 'new-account' as const,
    channel,
    customerKind,
    result: 'passed' as const,
    answers: { 'na.opened-in-person': 'yes' },
    openReviewItems: 0,
  };
  switch (channel) {
    case 'letter':
      return {
        ...base,
        documents: [doc('letter', 'rendered'), doc('form'), doc('envelope'), doc('postal-receipt')],
        checks: { customerSignature: mark(true), handlerSignature: mark(false), seal: { present: true, red: true } },
      };
    case 'face-to-face':
      return {
        ...base,
        documents: [doc('form')],
        checks: { customerSignature: mark(true), handlerSignature: mark(true), seal: { present: false, red: null } },
      };
    case 'email':
      return { ...base, documents: [doc('email'), doc('email-printout', 'derived')], checks: null };
    case 'phone':
      return { ...base, documents: [doc('recording')], checks: null, answers: {} };
    case 'e-questionnaire':
      return { ...base, documents: [doc('e-questionnaire')], checks: null };
  }
}

const rules = (r: VisitEvidenceRecord) => checkEvidence(r).map((m) => `${m.severity}:${m.ruleId}`);

describe('the evidence table (第七条, SPEC §1)', () => {
  it('has a rule for every requirement of SPEC §1, each with an article and words a clerk can act on', () => {
    expect(EVIDENCE_TABLE.map((r) => r.ruleId)).toEqual([
      'evidence/letter-form',
      'evidence/letter-signature',
      'evidence/letter-seal',
      'evidence/letter-envelope',
      'evidence/letter-postal-receipt',
      'evidence/face-to-face-form',
      'evidence/face-to-face-customer-signature',
      'evidence/face-to-face-handler-signature',
      'evidence/email-form',
      'evidence/email-printout',
      'evidence/email-original',
      'evidence/phone-recording',
      'evidence/e-questionnaire-response',
    ]);
  });

  for (const channel of ['letter', 'face-to-face', 'email', 'phone', 'e-questionnaire'] as const) {
    it(`a complete ${channel} visit passes`, () => {
      expect(rules(complete(channel))).toEqual([]);
      expect(rules(complete(channel, 'institution'))).toEqual([]);
    });
  }

  describe('letter', () => {
    it('evidence/letter-form: the returned form is missing', () => {
      const r = complete('letter');
      r.documents = r.documents.filter((d) => d.kind !== 'form');
      const [m] = checkEvidence(r);
      expect(m).toMatchObject({
        ruleId: 'evidence/letter-form',
        reason: 'the returned record form (回访记录表) is missing',
        fix: 'scan the returned record form and run `huifang ingest <scan>`',
      });
    });
    it('the rendered letter does not count as the returned form', () => {
      const r = complete('letter');
      r.documents = [doc('form', 'rendered'), doc('envelope'), doc('postal-receipt')];
      expect(rules(r)).toContain('error:evidence/letter-form');
    });
    it('evidence/letter-signature: signed OR stamped passes; neither fails; undecided asks for review', () => {
      const stampedOnly = complete('letter');
      stampedOnly.checks = { customerSignature: mark(false), seal: { present: true, red: true } };
      expect(rules(stampedOnly)).toEqual([]);
      const neither = complete('letter');
      neither.checks = { customerSignature: mark(false), seal: { present: false, red: null } };
      expect(checkEvidence(neither)[0]).toMatchObject({
        ruleId: 'evidence/letter-signature',
        reason: "the returned form carries neither the customer's signature nor a seal (客户签名或盖章)",
      });
      const undecided = complete('letter');
      undecided.checks = { customerSignature: mark(null), seal: { present: false, red: null } };
      expect(checkEvidence(undecided)[0]).toMatchObject({
        ruleId: 'evidence/letter-signature',
        fix: 'confirm it with `huifang review`',
      });
    });
    it("evidence/letter-seal: an institution's signature alone is not enough; the seal must be present and red", () => {
      const signedOnly = complete('letter', 'institution');
      signedOnly.checks = { customerSignature: mark(true), seal: { present: false, red: null } };
      expect(rules(signedOnly)).toEqual(['error:evidence/letter-seal']);
      expect(checkEvidence(signedOnly)[0]!.reason).toContain('a signature alone is not enough for an institution');
      const notRed = complete('letter', 'institution');
      notRed.checks = { customerSignature: mark(true), seal: { present: true, red: false } };
      expect(rules(notRed)).toEqual(['error:evidence/letter-seal']);
      const greyScan = complete('letter', 'institution');
      greyScan.checks = { customerSignature: mark(true), seal: { present: true, red: null } };
      expect(rules(greyScan)).toEqual(['warning:evidence/letter-seal']);
      // An individual's form needs no seal.
      const individual = complete('letter', 'individual');
      individual.checks = { customerSignature: mark(true), seal: { present: false, red: null } };
      expect(rules(individual)).toEqual([]);
    });
    it('evidence/letter-envelope and evidence/letter-postal-receipt', () => {
      const r = complete('letter');
      r.documents = r.documents.filter((d) => d.kind !== 'envelope' && d.kind !== 'postal-receipt');
      expect(rules(r)).toEqual(['error:evidence/letter-envelope', 'error:evidence/letter-postal-receipt']);
    });
    it('an unreachable letter needs no returned form, envelope or receipt', () => {
      const r = {
        ...complete('letter'),
        result: 'unreachable' as const,
        documents: [doc('letter', 'rendered')],
        checks: null,
      };
      expect(rules(r)).toEqual([]);
    });
  });

  describe('face-to-face', () => {
    it('evidence/face-to-face-form', () => {
      expect(rules({ ...complete('face-to-face'), documents: [] })).toEqual(['error:evidence/face-to-face-form']);
    });
    it('evidence/face-to-face-customer-signature (a stamp will do)', () => {
      const r = complete('face-to-face');
      r.checks = { customerSignature: mark(false), handlerSignature: mark(true), seal: { present: false } };
      expect(rules(r)).toEqual(['error:evidence/face-to-face-customer-signature']);
      r.checks.seal = { present: true, red: true };
      expect(rules(r)).toEqual([]);
    });
    it('evidence/face-to-face-handler-signature: both must sign', () => {
      const r = complete('face-to-face');
      r.checks = { customerSignature: mark(true), handlerSignature: mark(false), seal: { present: false } };
      expect(checkEvidence(r)[0]).toMatchObject({
        ruleId: 'evidence/face-to-face-handler-signature',
        reason: 'the form is not signed by the handling staff member (经办人)',
      });
    });
  });

  describe('email', () => {
    it('evidence/email-form: answers must be recorded from the e-mail', () => {
      const m = checkEvidence({ ...complete('email'), answers: {} })[0]!;
      expect(m.ruleId).toBe('evidence/email-form');
      expect(m.fix).toBe(
        'read the e-mail printout and enter the answers: huifang answers --visit HF-7K3M9-Q2T4X --set <question>=yes|no ...',
      );
    });
    it('evidence/email-printout', () => {
      expect(rules({ ...complete('email'), documents: [doc('email')] })).toEqual(['error:evidence/email-printout']);
    });
    it('evidence/email-original: the .eml must be kept; only a warning when the mail client printout is all there is', () => {
      expect(rules({ ...complete('email'), documents: [doc('email-printout', 'derived')] })).toEqual([
        'error:evidence/email-original',
      ]);
      expect(rules({ ...complete('email'), documents: [doc('email-printout', 'received')] })).toEqual([
        'warning:evidence/email-original',
      ]);
    });
  });

  describe('phone', () => {
    it('evidence/phone-recording: missing', () => {
      expect(rules({ ...complete('phone'), documents: [] })).toEqual(['error:evidence/phone-recording']);
    });
    it('evidence/phone-recording: present but not retrievable (file gone or altered)', () => {
      const m = checkEvidence({
        ...complete('phone'),
        documents: [doc('recording', 'received', { retrievable: false, fileName: 'call.wav' })],
      });
      expect(m.map((x) => x.ruleId)).toEqual(['evidence/phone-recording']);
      expect(m[0]!.reason).toBe(
        'the call recording call.wav cannot be retrieved: its stored file is missing or no longer matches its SHA-256',
      );
    });
    it('an unreachable phone visit has no recording to keep', () => {
      expect(rules({ ...complete('phone'), documents: [], result: 'unreachable' })).toEqual([]);
    });
  });

  describe('e-questionnaire', () => {
    it('evidence/e-questionnaire-response', () => {
      expect(rules({ ...complete('e-questionnaire'), documents: [doc('attachment')] })).toEqual([
        'error:evidence/e-questionnaire-response',
      ]);
    });
  });

  it('any channel: a stored file that no longer verifies, and open review items, are reported', () => {
    const r = complete('email');
    r.documents[0]!.retrievable = false;
    r.openReviewItems = 2;
    expect(rules(r)).toEqual(['error:evidence/file-missing', 'error:review/open']);
    expect(checkEvidence(r)[1]!.reason).toBe('2 items of this visit await review; no verdict until they are confirmed');
  });
});
