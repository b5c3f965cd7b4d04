/**
 * The second thread of a shared `validate` run (`validate-all.ts`): opens the same workspace
 * with its own connection to the register, validates the chunks it takes against the roster,
 * policy and day the first thread hands it, and answers with their results and the stored files
 * it judged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openWorkspace } from '../store/workspace.ts';
import { Fixity } from './fixity.ts';
import { sharedClaim, validateClaimed, type Run, type SharedReply, type SharedRun } from './validate-all.ts';

const shared = workerData as SharedRun;
const claims = new Int32Array(shared.claims);
const chunks = shared.bounds.length - 1;

async function validateOwnShare(): Promise<SharedReply> {
  const ws = openWorkspace(shared.dir, { mustExist: true, register: shared.registerAddress, files: shared.files });
  try {
    const fixity = new Fixity(ws, shared.fixity.mode, shared.fixity.recheckDays, shared.fixity.now);
    const claim = sharedClaim(claims, chunks, chunks - 1);
    const onVisit = () => void Atomics.add(claims, 1, 1);
    const own: Run = {
      ws,
      ids: shared.ids,
      bounds: shared.bounds,
      options: { ...shared.options, fixity },
      roster: shared.roster,
    };
    const results = await validateClaimed(own, claim, onVisit);
    return { chunks: [...results], judged: fixity.judgements() };
  } finally {
    ws.close();
  }
}

const reply = await validateOwnShare().catch((e: unknown): SharedReply => ({
  error: (e as Error).message ?? String(e),
}));
parentPort!.postMessage(reply);
