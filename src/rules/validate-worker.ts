/**
 * The second thread of a shared `validate` run (`validate-all.ts`): opens the same workspace
 * with its own connection to the register, validates the chunks it takes, and answers with
 * their results and the stored files it judged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { listStaff } from '../store/rules.ts';
import { openWorkspace } from '../store/workspace.ts';
import { Fixity } from './fixity.ts';
import { sharedClaim, validateClaimed, type SharedReply, type SharedRun } from './validate-all.ts';

const run = workerData as SharedRun;
const claims = new Int32Array(run.claims);
const chunks = Math.ceil(run.ids.length / run.chunk);

async function validateOwnShare(): Promise<SharedReply> {
  const ws = openWorkspace(run.dir, { register: run.registerAddress, files: run.files });
  try {
    const fixity = new Fixity(ws, run.fixity.mode, run.fixity.recheckDays, run.fixity.now);
    const claim = sharedClaim(claims, chunks, chunks - 1);
    const onVisit = () => void Atomics.add(claims, 1, 1);
    const results = await validateClaimed(
      ws,
      run.ids,
      run.chunk,
      claim,
      { ...run.options, fixity },
      listStaff(ws.register),
      onVisit,
    );
    return { chunks: [...results], judged: fixity.judgements() };
  } finally {
    ws.close();
  }
}

const reply = await validateOwnShare().catch((e: unknown): SharedReply => ({
  error: (e as Error).message ?? String(e),
}));
parentPort!.postMessage(reply);
