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
  /** Told after each payload file is read: `done` of `total` files. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The messages collected while verifying (as vfile collects them): each a domain `Message`
 * whose place is the path inside the bag it is about (`place.entry`, relative to the bag's
 * top-level folder), with a rule id `bag/…` (BagIt) or `huifang/…` (huifang's profile).
 * Errors make the bag invalid; warnings and infos (what was checked, what was not) do not.
 */
export class VerifyJob {
  readonly messages: Message[] = [];
  error(path: string, reason: string, rule: string, fix?: string): void {
    this.messages.push(message(rule, reason, { entry: path }, fix ? { fix } : {}));
  }
  warn(path: string, reason: string, rule: string, fix?: string): void {
    this.messages.push(message(rule, reason, { entry: path }, { severity: 'warning', ...(fix ? { fix } : {}) }));
  }
  /** What was checked or left unchecked, about the bag as a whole or one path in it. */
  note(reason: string, rule: string, path?: string, fix?: string): void {
    this.messages.push(
      message(rule, reason, path ? { entry: path } : {}, { severity: 'info', ...(fix ? { fix } : {}) }),
    );
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
