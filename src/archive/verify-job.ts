/**
 * What a verification run collects and what a profile (a bundle format's own checks, such as
 * huifang's) is given: the options, the problems found so far, and what was read of the bag.
 */
import type { KeyObject } from 'node:crypto';
import type { VisitEvidenceRecord } from '../domain/evidence.ts';
import { message, type Message } from '../domain/messages.ts';
import type { BagSource } from './bag-source.ts';
import type { BagInfo, Manifest } from './bagit.ts';
import type { ZipLimits } from './zip-reader.ts';


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
  /** The bundle format's own checks (default: huifang's). */
  profile?: VerifyProfile;
}

/**
 * A bundle format's own checks on top of BagIt's (huifang's: the index, each visit's
 * evidence, the retention date, the chain and the signature). Verify is given one.
 */
export interface VerifyProfile {
  /** Whether a bag is of this format, from its bag-info.txt. */
  applies(info: BagInfo): boolean;
  /** Payload files the checks read whole (kept while they are hashed). */
  keeps(path: string): boolean;
  /** Algorithms the checks need for tag files besides the tag manifests' (e.g. sha256 for a signature). */
  tagAlgorithms: string[];
  /** Whether a tag file outside the tag manifests is an error (RFC 8493 only warns). */
  strictTagFiles: boolean;
  /** The checks, once every checksum is known. */
  check(bag: VerifiedBag, job: VerifyJob, opts: VerifyOptions): Promise<void>;
  /** What to say of a bag that is not of this format. */
  notApplicable(version: string | null, job: VerifyJob, opts: VerifyOptions): void;
}

/** The problems collected while verifying, and where (as vfile collects messages). */
export class VerifyJob {
  /** Each problem as the domain's `Message`, its place the path inside the bag (`place.entry`). */
  readonly problems: Message[] = [];
  readonly notes: string[] = [];
  error(path: string, problem: string, rule: string): void {
    this.problems.push(message(rule, problem, { entry: path }));
  }
  warn(path: string, problem: string, rule: string): void {
    this.problems.push(message(rule, problem, { entry: path }, { severity: 'warning' }));
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
