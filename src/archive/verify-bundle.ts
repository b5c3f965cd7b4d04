/**
 * `huifang verify`: a bag checked under BagIt, and under huifang's profile when it is one of
 * huifang's bundles (`HUIFANG_PROFILE`). The generic verifier is `verify.ts`; huifang's checks
 * are `huifang-checks.ts`; this is where the one is given the other.
 */
import { HUIFANG_PROFILE } from './huifang-checks.ts';
import { verifyBag, type VerifyReport } from './verify.ts';
import type { VerifyOptions } from './verify-job.ts';

export type { VerifyReport } from './verify.ts';

/** Verifies a bundle or any bag. Throws HostileZipError / UnreadableZipError when it refuses. */
export function verifyBundle(path: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyBag(path, opts, HUIFANG_PROFILE);
}
