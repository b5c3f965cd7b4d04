/**
 * `huifang keys create --out NAME` makes an Ed25519 key pair for signing bundles
 * (NAME.key, private, mode 0600; NAME.pub, public, to hand to auditors);
 * `huifang keys show <file>` prints a key's fingerprint.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../domain/messages.ts';
import { createKeyPair, fingerprintOf, loadPublicKey } from '../archive/signing.ts';
import { defineCommand, EXIT_OK, report } from './common.ts';

interface KeysArgs {
  action: string;
  file?: string;
  out?: string;
  force: boolean;
}

export const keysCommand = defineCommand<KeysArgs>({
  command: 'keys <action> [file]',
  builder: (y) =>
    y
      .positional('action', { type: 'string', choices: ['create', 'show'], demandOption: true })
      .positional('file', { type: 'string', describe: 'for show: a .pub or .key file' })
      .option('out', {
        type: 'string',
        describe: 'for create: path and base name of the key files (NAME.key, NAME.pub)',
      })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite existing key files' }),
  run: async ({ args, io }) => {
    if (args.action === 'show') {
      if (!args.file) throw new UsageError('keys show needs a key file');
      const fingerprint = fingerprintOf(loadPublicKey(args.file));
      report(io, args.json, { path: resolve(args.file), fingerprint }, () => [
        `${resolve(args.file!)}: Ed25519 ${fingerprint}`,
      ]);
      return EXIT_OK;
    }
    if (!args.out) throw new UsageError('keys create needs --out NAME (writes NAME.key and NAME.pub)');
    const base = resolve(args.out.replace(/\.(key|pub)$/, ''));
    if (!args.force && (existsSync(`${base}.key`) || existsSync(`${base}.pub`)))
      throw new UsageError(`${base}.key or ${base}.pub exists already; choose another --out or pass --force`);
    const made = createKeyPair(base);
    report(
      io,
      args.json,
      { privateKey: made.privateKeyPath, publicKey: made.publicKeyPath, fingerprint: made.fingerprint },
      () => [
        `Private key: ${made.privateKeyPath} (keep it secret; sign with huifang archive --sign ${made.privateKeyPath})`,
        `Public key:  ${made.publicKeyPath} (give it to auditors: huifang verify --key ${made.publicKeyPath})`,
        `Fingerprint: ${made.fingerprint}`,
      ],
    );
    return EXIT_OK;
  },
});
