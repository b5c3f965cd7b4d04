/**
 * What a verification run collects and what a profile (a bundle format's own checks, such as
 * huifang's) is given: the options, the problems found so far, and what was read of the bag.
 */
import type { KeyObject } from 'node:crypto';
import type { VisitEvidenceRecord } from '../domain/evidence.ts';
import type { Message } from '../domain/messages.ts';
import type { BagSource } from './bag-source.ts';
import type { BagInfo, Manifest } from './bagit.ts';
import type { ZipLimits } from './zip-reader.ts';

/** One problem, with the path inside the bag it is about. */
export interface BagProblem {
  path: string;
  problem: string;
  rule: string;
  severity: 'error' | 'warning';
}

export interface VerifyOptions {
  /** A trusted public key: the bundle must be signed with it. */
  key?: KeyObject;
  /** The branch's previous bundle, to check the chain link. */
  previous?: string;
  /** Today, for the retention date (default: the business day). */
  today?: string;
  limits?: ZipLimits;
  /** The evidence table; default the domain's `checkEvidence`. */
  checkEvidence?: (record: VisitEvidenceRecord) => Message[];
  /** Told after each payload file is read: `done` of `total` files. */
  onProgress?: (done: number, total: number) => void;
}

/** The problems collected while verifying, and where (as vfile collects messages). */
export class VerifyJob {
  readonly problems: BagProblem[] = [];
  readonly notes: string[] = [];
  error(path: string, problem: string, rule: string): void {
    this.problems.push({ path, problem, rule, severity: 'error' });
  }
  warn(path: string, problem: string, rule: string): void {
    this.problems.push({ path, problem, rule, severity: 'warning' });
  }
  note(text: string): void {
    this.notes.push(text);
  }
}

/** What verification gathered about the bag, for the huifang checks. */
export interface VerifiedBag {
  source: BagSource;
  info: BagInfo | undefined;
  files: Map<string, number>;
  /** Digests computed from the bytes, by path and algorithm. */
  digests: Map<string, Record<string, string>>;
  /** Whole contents of tag files and of the huifang JSON/CSV/HTML payload files. */
  contents: Map<string, Buffer>;
  payloadManifests: Manifest[];
  tagManifests: Manifest[];
}
