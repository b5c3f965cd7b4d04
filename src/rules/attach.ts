/**
 * Evidence added by hand (`huifang attach`): a call recording (any audio format, kept as is,
 * its duration read when possible), an envelope, a postal receipt, an exported
 * e-questionnaire (a PDF or JSON that must parse), an .eml, or any other document. Every file
 * is checked before anything is stored, then stored byte-for-byte and recorded as the
 * visit's `received` document with who attached it and when.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { parseFile } from 'music-metadata';
import { InputError, message, systemErrorWords, type Message } from '../domain/messages.ts';
import type { DocumentKind } from '../domain/visit.ts';
import { ensureEmailPrintouts } from '../mail/printouts.ts';
import { EmlError, parseEml } from '../mail/parse.ts';
import { getVisit, addDocument } from '../store/visits.ts';
import type { Workspace } from '../store/workspace.ts';
import { UnknownVisitError } from './visit-facts.ts';

/** The kinds a person may attach (letters are rendered by huifang, never attached). */
export const ATTACHABLE_KINDS = [
  'recording',
  'envelope',
  'postal-receipt',
  'e-questionnaire',
  'attachment',
  'email',
  'email-printout',
  'form',
] as const satisfies readonly DocumentKind[];
export type AttachableKind = (typeof ATTACHABLE_KINDS)[number];

export interface AttachOptions {
  visitId: string;
  kind: AttachableKind;
  paths: readonly string[];
  actor: string;
  note?: string;
}

export interface AttachedFile {
  path: string;
  sha256: string;
  size: number;
  kind: AttachableKind;
  documentId: number;
  mediaType: string;
  meta: Record<string, unknown>;
  /** Things worth knowing that did not stop the file being attached (duration unreadable…). */
  warnings: Message[];
}

const MEDIA_BY_EXT: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.json': 'application/json',
  '.eml': 'message/rfc822',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.amr': 'audio/amr',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/opus',
  '.flac': 'audio/flac',
  '.wma': 'audio/x-ms-wma',
  '.aac': 'audio/aac',
};

function sniff(head: Buffer): 'pdf' | 'jpeg' | 'png' | 'tiff' | 'json' | 'unknown' {
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head[0] === 0xff && head[1] === 0xd8) return 'jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  const t = head.subarray(0, 4).toString('latin1');
  if (t === 'II*\0' || t === 'MM\0*') return 'tiff';
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return 'json';
  return 'unknown';
}

interface Checked {
  path: string;
  meta: Record<string, unknown>;
  mediaType: string;
  warnings: Message[];
}

/** Checks one file for its kind; returns its meta, or the problems that refuse it. */
async function checkFile(path: string, kind: AttachableKind, visitId: string): Promise<Checked | Message[]> {
  const place = { file: path, visitId };
  const bytes = await readAttachable(path, place);
  if (!Buffer.isBuffer(bytes)) return bytes;
  const type = sniff(bytes.subarray(0, 64));
  const f: FileToCheck = {
    path,
    place,
    bytes,
    type,
    mediaType: mediaTypeOf(path, type),
    meta: { attachedByHand: true, originalName: basename(path) },
    warnings: [],
  };
  switch (kind) {
    case 'recording':
      return checkRecording(f);
    case 'e-questionnaire':
      return checkQuestionnaire(f);
    case 'email':
      return checkEmail(f);
    default:
      return checkOther(f);
  }
}

/** What the checks of one kind work with. */
interface FileToCheck {
  path: string;
  place: { file: string; visitId: string };
  bytes: Buffer;
  type: ReturnType<typeof sniff>;
  mediaType: string;
  meta: Record<string, unknown>;
  warnings: Message[];
}

/** The file's bytes, or why it cannot be attached (not a file, empty, missing, unreadable). */
async function readAttachable(path: string, place: FileToCheck['place']): Promise<Buffer | Message[]> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return [message('attach/not-a-file', `${path} is not a file`, place)];
    if (s.size === 0)
      return [message('attach/empty-file', `${path} is empty`, place, { fix: 'export or scan it again' })];
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return [
      message(
        'attach/missing-file',
        code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read: ${systemErrorWords(e)}`,
        place,
        { fix: 'check the path' },
      ),
    ];
  }
}

function mediaTypeOf(path: string, type: ReturnType<typeof sniff>): string {
  return (
    MEDIA_BY_EXT[extname(path).toLowerCase()] ??
    (type === 'pdf'
      ? 'application/pdf'
      : type === 'json'
        ? 'application/json'
        : type === 'unknown'
          ? 'application/octet-stream'
          : `image/${type}`)
  );
}

/** A call recording: its duration and format read, warned when short or unreadable; refused when it is a scan or PDF. */
async function checkRecording(f: FileToCheck): Promise<Checked | Message[]> {
  const { path, place, meta, warnings } = f;
  try {
    const m = await parseFile(path, { duration: true, skipCovers: true });
    if (m.format.duration !== undefined && Number.isFinite(m.format.duration))
      meta.durationSeconds = Math.round(m.format.duration * 100) / 100;
    if (m.format.container) meta.container = m.format.container;
    if (m.format.codec) meta.codec = m.format.codec;
    if (m.format.sampleRate) meta.sampleRate = m.format.sampleRate;
    if (meta.durationSeconds === undefined)
      warnings.push(
        message(
          'attach/recording-duration',
          `the duration of the recording ${basename(path)} could not be read; it is kept as it is`,
          place,
          { severity: 'warning' },
        ),
      );
    else if ((meta.durationSeconds as number) < 5)
      warnings.push(
        message(
          'attach/recording-short',
          `the recording ${basename(path)} lasts only ${meta.durationSeconds} s; check it is the whole call`,
          place,
          { severity: 'warning' },
        ),
      );
    const mediaType = f.mediaType.startsWith('audio/')
      ? f.mediaType
      : `audio/${(m.format.container ?? 'unknown').toLowerCase().split(/[^a-z0-9]/)[0]}`;
    return { path, meta, mediaType, warnings };
  } catch (e) {
    return unreadableRecording(f, e);
  }
}

function unreadableRecording(f: FileToCheck, e: unknown): Checked | Message[] {
  const { path, place, type } = f;
  if (type !== 'unknown') {
    return [
      message('attach/not-audio', `${basename(path)} is a ${type.toUpperCase()} file, not a recording`, place, {
        fix: 'attach the audio file exported from the call system',
        actual: type,
      }),
    ];
  }
  f.warnings.push(
    message(
      'attach/recording-unreadable',
      `the recording format of ${basename(path)} is not one huifang can read (${e instanceof Error ? e.message : String(e)}); it is kept as it is, without a duration`,
      place,
      { severity: 'warning', fix: 'check that it plays in the call system' },
    ),
  );
  return { path, meta: f.meta, mediaType: f.mediaType, warnings: f.warnings };
}

/** An exported e-questionnaire response: JSON that parses or a readable PDF, nothing else. */
async function checkQuestionnaire(f: FileToCheck): Promise<Checked | Message[]> {
  if (f.type === 'json') return checkQuestionnaireJson(f);
  if (f.type === 'pdf') return checkQuestionnairePdf(f);
  return [
    message(
      'attach/not-questionnaire',
      `${basename(f.path)} is neither a PDF nor JSON; an exported e-questionnaire response must be one of them`,
      f.place,
      { fix: 'export the response as PDF or JSON' },
    ),
  ];
}

function checkQuestionnaireJson(f: FileToCheck): Checked | Message[] {
  const { path, meta } = f;
  try {
    const parsed: unknown = JSON.parse(f.bytes.toString('utf8').replace(/^\uFEFF/, ''));
    meta.format = 'json';
    meta.topLevel = Array.isArray(parsed) ? `array of ${parsed.length}` : Object.keys(parsed as object).slice(0, 20);
    return { path, meta, mediaType: 'application/json', warnings: f.warnings };
  } catch (e) {
    return [
      message(
        'attach/bad-json',
        `${basename(path)} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
        f.place,
        { fix: 'export the response again from the questionnaire system' },
      ),
    ];
  }
}

async function checkQuestionnairePdf(f: FileToCheck): Promise<Checked | Message[]> {
  const { path, meta } = f;
  try {
    const { PDFDocument } = await import('@cantoo/pdf-lib');
    const doc = await PDFDocument.load(f.bytes, { ignoreEncryption: true, updateMetadata: false });
    meta.format = 'pdf';
    meta.pageCount = doc.getPageCount();
    return { path, meta, mediaType: 'application/pdf', warnings: f.warnings };
  } catch (e) {
    return [
      message(
        'attach/bad-pdf',
        `${basename(path)} is not a readable PDF: ${e instanceof Error ? e.message : String(e)}`,
        f.place,
        { fix: 'export the response again from the questionnaire system' },
      ),
    ];
  }
}

/** An e-mail: refused when it is not one; kept with a warning when it cannot be printed. */
async function checkEmail(f: FileToCheck): Promise<Checked | Message[]> {
  const { path, place, meta, warnings } = f;
  try {
    const mail = await parseEml(f.bytes, basename(path));
    meta.subject = mail.subject;
    meta.from = mail.from.map((a) => a.address);
  } catch (e) {
    if (!(e instanceof EmlError)) throw e;
    if (e.problem === 'not-an-email')
      return [message(e.ruleId, e.message, place, { fix: 'save the message from the mail client as .eml' })];
    warnings.push(
      message(e.ruleId, `${e.message}; it is kept, but no printout can be made`, place, { severity: 'warning' }),
    );
  }
  return { path, meta, mediaType: 'message/rfc822', warnings };
}

/** Any other kind: kept as it is, with a warning when it is not a scan or a PDF. */
function checkOther(f: FileToCheck): Checked {
  if (f.type === 'unknown' || f.type === 'json') {
    f.warnings.push(
      message(
        'attach/unusual-file',
        `${basename(f.path)} is not a scan (JPEG, PNG, TIFF) or a PDF; it is kept as it is`,
        f.place,
        { severity: 'warning' },
      ),
    );
  }
  return { path: f.path, meta: f.meta, mediaType: f.mediaType, warnings: f.warnings };
}

/**
 * Attaches files to a visit. Checks every file first: if any is refused, nothing is stored
 * and `InputError` lists every problem (exit 2). Attaching the same file again changes nothing.
 */
export async function attachEvidence(ws: Workspace, o: AttachOptions): Promise<AttachedFile[]> {
  if (!getVisit(ws.register, o.visitId)) throw new UnknownVisitError(o.visitId);
  const checked: Checked[] = [];
  const refused: Message[] = [];
  for (const p of o.paths) {
    const r = await checkFile(resolve(p), o.kind, o.visitId);
    if (Array.isArray(r)) refused.push(...r);
    else checked.push(r);
  }
  if (refused.length)
    throw new InputError(
      `${refused.length === 1 ? refused[0]!.reason : `${refused.length} files cannot be attached`}; nothing was attached`,
      refused,
    );
  const out: AttachedFile[] = [];
  for (const c of checked) {
    const stored = await ws.files.putFile(c.path);
    const meta = { ...c.meta, ...(o.note ? { note: o.note } : {}) };
    const documentId = addDocument(ws.register, {
      visitId: o.visitId,
      kind: o.kind,
      role: 'received',
      sha256: stored.sha256,
      size: stored.size,
      mediaType: c.mediaType,
      fileName: basename(c.path),
      createdBy: o.actor,
      meta,
    });
    out.push({
      path: c.path,
      sha256: stored.sha256,
      size: stored.size,
      kind: o.kind,
      documentId,
      mediaType: c.mediaType,
      meta,
      warnings: c.warnings,
    });
  }
  if (o.kind === 'email') await ensureEmailPrintouts(ws, o.visitId, o.actor);
  return out;
}
