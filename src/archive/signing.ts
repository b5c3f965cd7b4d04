/**
 * Ed25519 signatures over a bag's tag manifest.
 *
 * The signature lives in a tag file, `huifang-signature.txt`, which signs the exact bytes of
 * `tagmanifest-sha256.txt`. That manifest lists bagit.txt, bag-info.txt and the payload
 * manifests, which list every payload file, so the signature covers every byte of the bag
 * except itself. The signature file cannot be listed in the manifest it signs; it is the one
 * tag file outside the tag manifest, and bag-info.txt (which the signature covers) names the
 * key's fingerprint, so removing or swapping the signature is noticed too.
 */
import { InputError } from '../domain/messages.ts';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../store/atomic.ts';
import { chmodSync } from 'node:fs';

export const SIGNATURE_FILE = 'huifang-signature.txt';
export const SIGNED_FILE = 'tagmanifest-sha256.txt';

/** `SHA256:<hex>` of the public key's SubjectPublicKeyInfo (DER). */
export function fingerprintOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return 'SHA256:' + createHash('sha256').update(der).digest('hex');
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

/** Creates a key pair: `<out>.key` (PKCS#8 PEM, mode 0600) and `<out>.pub` (SPKI PEM). */
export function createKeyPair(out: string): { privateKeyPath: string; publicKeyPath: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const base = out.replace(/\.(key|pub)$/, '');
  const privateKeyPath = `${base}.key`;
  const publicKeyPath = `${base}.pub`;
  writeFileAtomicSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  chmodSync(privateKeyPath, 0o600);
  writeFileAtomicSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }) as string);
  return { privateKeyPath, publicKeyPath, fingerprint: fingerprintOf(publicKey) };
}

/** Reads a private key file (PEM); says what is wrong when it is not an Ed25519 private key. */
export function loadSigningKey(path: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new InputError(
      `${path} is not a private key file (PEM): ${(e as Error).message}; make one with \`huifang keys create --out NAME\``,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new InputError(
      `${path} holds a ${privateKey.asymmetricKeyType} key; huifang signs with Ed25519 (\`huifang keys create\`)`,
    );
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey) };
}

/** Reads a public key file (PEM, or a private key from which the public half is taken). */
export function loadPublicKey(path: string): KeyObject {
  const text = readFileSync(path);
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (e) {
    throw new InputError(`${path} is not a public key file (PEM): ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new InputError(`${path} holds a ${key.asymmetricKeyType} key, not Ed25519`);
  return key;
}

/** The signature file's text for the given tag manifest bytes. */
export function signatureFile(tagManifest: Buffer, key: SigningKey): Buffer {
  const signature = sign(null, tagManifest, key.privateKey).toString('base64');
  const publicKey = (key.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  const lines = [
    'Signature-Algorithm: Ed25519',
    `Signed-File: ${SIGNED_FILE}`,
    `Signed-File-SHA256: ${createHash('sha256').update(tagManifest).digest('hex')}`,
    `Public-Key: ${publicKey}`,
    `Key-Fingerprint: ${key.fingerprint}`,
    `Signature: ${signature}`,
  ];
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

export type SignatureCheck = { ok: true; fingerprint: string; keyGiven: boolean } | { ok: false; problem: string };

/**
 * Checks a signature file against the tag manifest's bytes: with `trusted` given, the
 * signature must verify under that key; otherwise under the embedded key, whose fingerprint
 * is returned for the user to compare with the one they expect.
 */
export function checkSignature(
  signatureText: Buffer,
  tagManifest: Buffer | undefined,
  trusted?: KeyObject,
): SignatureCheck {
  const fields = new Map<string, string>();
  for (const line of signatureText.toString('utf8').split(/\r?\n/)) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!.trim());
  }
  if (fields.get('Signature-Algorithm') !== 'Ed25519')
    return {
      ok: false,
      problem: `the signature's algorithm is "${fields.get('Signature-Algorithm') ?? ''}", not Ed25519`,
    };
  if (fields.get('Signed-File') !== SIGNED_FILE)
    return {
      ok: false,
      problem: `the signature names the signed file "${fields.get('Signed-File') ?? ''}", expected ${SIGNED_FILE}`,
    };
  if (!tagManifest) return { ok: false, problem: `${SIGNED_FILE}, which the signature covers, is missing` };
  let embedded: KeyObject;
  try {
    embedded = createPublicKey({
      key: Buffer.from(fields.get('Public-Key') ?? '', 'base64'),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return { ok: false, problem: 'the embedded public key cannot be read' };
  }
  const embeddedFingerprint = fingerprintOf(embedded);
  if (fields.get('Key-Fingerprint') !== embeddedFingerprint)
    return {
      ok: false,
      problem: `the Key-Fingerprint line does not match the embedded public key (${embeddedFingerprint})`,
    };
  const key = trusted ?? embedded;
  if (trusted && fingerprintOf(trusted) !== embeddedFingerprint) {
    return {
      ok: false,
      problem: `signed with key ${embeddedFingerprint}, not with the key given (${fingerprintOf(trusted)})`,
    };
  }
  const signature = Buffer.from(fields.get('Signature') ?? '', 'base64');
  if (signature.length !== 64 || !verify(null, tagManifest, key, signature)) {
    return {
      ok: false,
      problem: `the signature does not match ${SIGNED_FILE}: the tag manifest or the signature was changed after signing`,
    };
  }
  return { ok: true, fingerprint: embeddedFingerprint, keyGiven: Boolean(trusted) };
}
