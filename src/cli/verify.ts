/**
 * `huifang verify <bundle.zip | bag folder> [--key PUB] [--previous FILE]` — checks a bundle
 * or any BagIt bag without unpacking it. Exit 0 valid, 1 invalid (every problem named with
 * its path inside the bag), 2 unusable or refused (a hostile or damaged zip).
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { formatMessage, message, UsageError } from '../domain/messages.ts';
import { loadPublicKey } from '../archive/signing.ts';
import { verifyBundle } from '../archive/verify.ts';
import { HostileZipError, UnreadableZipError } from '../archive/zip-reader.ts';
import { defineCommand, EXIT_BAD_INPUT, EXIT_OK, EXIT_PROBLEMS, report } from './common.ts';
import { startProgress } from './progress.ts';

interface VerifyArgs {
  bundle: string;
  key?: string;
  previous?: string;
}

export const verifyCommand = defineCommand<VerifyArgs>({
  command: 'verify <bundle>',
  builder: (y) =>
    y
      .positional('bundle', { type: 'string', demandOption: true, describe: 'a bundle .zip or a bag folder' })
      .option('key', { type: 'string', describe: 'public key (PEM) the bundle must be signed with' })
      .option('previous', {
        type: 'string',
        describe: "the branch's previous bundle, to check the chain (default: found beside it)",
      }),
  run: async ({ args, io }) => {
    if (!existsSync(args.bundle)) throw new UsageError(`${args.bundle} does not exist`);
    const key = args.key ? loadPublicKey(args.key) : undefined;
    try {
      const bar = startProgress(io, `verify ${basename(args.bundle)}`, { unit: 'files read' });
      const r = await verifyBundle(args.bundle, {
        ...(key ? { key } : {}),
        ...(args.previous ? { previous: args.previous } : {}),
        onProgress: (done, total) => bar.tick(done, total),
      });
      bar.finish(r.ok ? 'valid' : 'INVALID');
      const errors = r.problems.filter((m) => m.severity === 'error');
      report(
        io,
        args.json,
        {
          ok: r.ok,
          path: r.location,
          bag: r.bag,
          version: r.version,
          huifang: r.huifang,
          files: r.files,
          bytes: r.bytes,
          problems: r.problems,
        },
        () => [
          // what is wrong first, then what was checked (infos)
          ...r.problems.filter((m) => m.severity !== 'info').map(formatMessage),
          ...r.problems.filter((m) => m.severity === 'info').map(formatMessage),
          r.ok
            ? `✓ ${r.location}: valid BagIt ${r.version} bag${r.huifang ? ' and huifang bundle' : ''} (${r.files} files, ${r.bytes} bytes)`
            : `✗ ${r.location}: INVALID — ${errors.length} problem(s)`,
        ],
      );
      return r.ok ? EXIT_OK : EXIT_PROBLEMS;
    } catch (e) {
      if (e instanceof HostileZipError || e instanceof UnreadableZipError) {
        const hostile = e instanceof HostileZipError;
        const problem = message(
          hostile ? 'zip/hostile' : 'zip/unreadable',
          `${hostile ? 'refused' : 'unreadable'}: ${hostile ? e.reason : e.message}`,
          hostile && e.entry ? { entry: e.entry } : {},
        );
        report(io, args.json, { ok: false, refused: true, path: args.bundle, problems: [problem] }, () => [
          `✗ ${args.bundle}: ${hostile ? 'refused, nothing was extracted' : 'cannot be read'} — ${e.message}`,
        ]);
        return EXIT_BAD_INPUT;
      }
      throw e;
    }
  },
});
