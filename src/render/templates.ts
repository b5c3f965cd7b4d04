/**
 * Templates that staff edit: the PDF letter's text (`templates/letter.txt`) and the Word
 * letter and form (`templates/letter.docx`, `templates/form.docx`), all in docxtemplater's
 * syntax — `{tag}`, loops `{#questions}…{/questions}`, conditionals `{#isInstitution}…{/isInstitution}`
 * and `{^isInstitution}…{/isInstitution}`. There is no expression parser: a template names
 * values, it never runs code (docxtemplater's default parser, never angular-expressions).
 *
 * A template is checked when it is loaded, before any letter is rendered: a tag outside the
 * vocabulary of `render/template-data.ts` (a typo such as `{customerNmae}`) or a syntax error
 * refuses the template with an `InputError` that names the file and the tag. At render time
 * a missing (null/undefined) or empty value is refused too: never a blank in a mailed letter.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import Docxtemplater from 'docxtemplater';
import TxtTemplater from 'docxtemplater/text.js';
import PizZip from 'pizzip';
import { InputError, message, type Message } from '../domain/messages.ts';
import { prepareEntry, zipInMemory, type PreparedEntry } from '../formats/zip-writer.ts';
import { QUESTION_TAGS, TEMPLATE_TAGS, type TemplateData } from './template-data.ts';
import { checkOfficeZip } from '../input/zip-limits.ts';

/** The project's root folder: `templates/…` paths are resolved against it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A plain-text template (the PDF letter's body), checked and compiled once. */
export interface TextTemplate {
  /** Absolute path of the template file. */
  path: string;
  /** Every tag the template uses, in first-use order; tags inside a loop as `questions.text`. */
  tags: string[];
  /** The text for one visit; throws `InputError` when a value the template needs is missing or empty. */
  render(data: TemplateData): string;
}

/** A Word template (letter or record form), checked once, rendered to DOCX bytes. */
export interface DocxTemplate {
  path: string;
  tags: string[];
  render(data: TemplateData, extras?: DocxExtras): Uint8Array;
}

/**
 * Tags a Word template may hold as `{@tag}` paragraphs, which huifang fills with drawing
 * objects of its own (never with text): `{@recordForm}` is the record form page, drawn from
 * `src/layout` with its QR codes and registration marks, `{@letterMarks}` the marks and QR
 * codes of a letter's first page (see `render/docx-form.ts`).
 */
export const DOCX_DRAWING_TAGS: Record<string, string> = {
  recordForm: '回访记录表（按版式绘制，含二维码与定位标记）',
  letterMarks: '回访函首页的二维码与定位标记',
};

/** XML that many documents share, made once: deflated once, its bytes reused. */
export class SharedXml {
  constructor(readonly xml: string) {}
}

/** What a render adds to the template's data: the XML of `{@tag}` paragraphs, and the pictures it shows. */
export interface DocxExtras {
  /**
   * `{@tag}` → WordprocessingML paragraphs, inserted as they are: one string, or pieces in
   * order. A `SharedXml` piece (what every form of a category shares) is compressed once and
   * its bytes reused by every document it goes into.
   */
  drawings?: Record<string, string | readonly (string | SharedXml)[]>;
  /** Pictures the drawings refer to, added to the package (and to its relationships when the template lacks them). */
  pictures?: { relationshipId: string; part: string; target: string; bytes: Uint8Array }[];
}

/**
 * Tags whose value is legitimately empty for some visits (an individual has no 联系人, a
 * customer may have no 营销人员, a yes/no question has no options). A template may print
 * them only inside a section on the same tag, e.g. `{#contactPerson}联系人：{contactPerson}{/contactPerson}`,
 * so that the whole phrase is left out instead of printing a blank.
 */
export const OPTIONAL_TAGS: readonly string[] = ['contactPerson', 'marketingStaff', 'options'];

/** Tags that are not text: a list to loop over, a yes/no to test. */
const SECTION_ONLY_TAGS: Record<string, string> = {
  questions: 'a list: loop over it with {#questions}…{/questions}',
  isInstitution: 'a yes/no: test it with {#isInstitution}…{/isInstitution} or {^isInstitution}…{/isInstitution}',
};

/** Resolves a template path: absolute paths stay, relative ones are taken from the project root. */
function resolveTemplatePath(path: string): string {
  return isAbsolute(path) ? path : resolve(PROJECT_ROOT, path);
}

/** The path as a person reads it in an error: relative to the project when inside it. */
function displayPath(absolute: string): string {
  const rel = relative(PROJECT_ROOT, absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}

// ---------------------------------------------------------------------------------------
// Loading, with a cache keyed by path and modification time.

interface CacheEntry<T> {
  mtimeMs: number;
  size: number;
  template: T;
}
const textCache = new Map<string, CacheEntry<TextTemplate>>();
const docxCache = new Map<string, CacheEntry<DocxTemplate>>();

function cached<T>(cache: Map<string, CacheEntry<T>>, path: string, load: (absolute: string) => T): T {
  const absolute = resolveTemplatePath(path);
  let stats;
  try {
    stats = statSync(absolute);
  } catch {
    throw new InputError(`Template ${displayPath(absolute)} not found`, [
      message(
        'template/missing',
        `the template file ${displayPath(absolute)} does not exist`,
        { file: absolute },
        {
          fix: 'restore it from the templates/ folder of the huifang release, or pass the path of your own template',
        },
      ),
    ]);
  }
  const hit = cache.get(absolute);
  if (hit && hit.mtimeMs === stats.mtimeMs && hit.size === stats.size) return hit.template;
  const template = load(absolute);
  cache.set(absolute, { mtimeMs: stats.mtimeMs, size: stats.size, template });
  return template;
}

/**
 * Loads and checks a plain-text template through docxtemplater's text mode.
 *
 * @example
 * const letter = loadTextTemplate('templates/letter.txt');
 * const body = letter.render(templateData(visit, customer, sender));
 */
export function loadTextTemplate(path: string): TextTemplate {
  return cached(textCache, path, (absolute) => {
    const text = readFileSync(absolute, 'utf8')
      .replace(/^\uFEFF/, '')
      .replace(/\r\n?/g, '\n');
    const uses: TagUse[] = [];
    let templater: TxtTemplater;
    try {
      templater = new TxtTemplater(text, { ...docxOptions(collectingParser(uses)), linebreaks: false });
    } catch (error) {
      throw syntaxError(absolute, error, text);
    }
    const tags = checkTags(absolute, uses);
    return {
      path: absolute,
      tags,
      render(data: TemplateData): string {
        try {
          return templater.render(data);
        } catch (error) {
          throw renderError(absolute, error, data);
        }
      },
    };
  });
}

/**
 * Loads and checks a Word template (pizzip + docxtemplater, paragraph loops, line breaks).
 *
 * @example
 * const form = loadDocxTemplate('templates/form.docx');
 * writeFileAtomicSync('out/form.docx', form.render(templateData(visit, customer, sender)));
 */
export function loadDocxTemplate(path: string): DocxTemplate {
  return cached(docxCache, path, (absolute) => {
    const bytes = readFileSync(absolute);
    let zip: PizZip;
    try {
      checkOfficeZip(bytes); // sizes and entry count before the template is unpacked
      zip = new PizZip(bytes);
    } catch (error) {
      throw new InputError(`Template ${displayPath(absolute)} is not a Word document`, [
        message(
          'template/not-docx',
          `${displayPath(absolute)} is not a .docx file (${(error as Error).message})`,
          { file: absolute },
          {
            fix: 'save it from Word as "Word Document (*.docx)"',
          },
        ),
      ]);
    }
    const uses: TagUse[] = [];
    try {
      new Docxtemplater(zip, docxOptions(collectingParser(uses)));
    } catch (error) {
      throw syntaxError(absolute, error);
    }
    const tags = checkTags(absolute, uses);
    const renderer = new DocxRenderer(bytes);
    return {
      path: absolute,
      tags,
      render(data: TemplateData, extras: DocxExtras = {}): Uint8Array {
        try {
          return renderer.render(data as unknown as Record<string, unknown>, extras);
        } catch (error) {
          throw renderError(absolute, error, data);
        }
      },
    };
  });
}

/**
 * Renders a Word template many times over, fast.
 *
 * docxtemplater parses and compiles the whole template on every render (~15 ms a letter), but
 * which paragraphs and rows a letter gets depends only on its "shape": which values are
 * missing, empty or present, and the lists and yes/no values themselves (the questions of a
 * category, isInstitution). So each shape is rendered once by docxtemplater with a marker in
 * place of every text value, and every letter of that shape is that output with its own values
 * put in the markers' places, escaped as docxtemplater escapes them. A shape whose render
 * fails (a missing value) fails for every letter of that shape, exactly as docxtemplater would.
 * Values with line breaks or marker characters go through docxtemplater directly.
 */
class DocxRenderer {
  private readonly shapes = new Map<string, Shape>();
  /** Shared drawing XML, deflated once. */
  private readonly deflated = new WeakMap<SharedXml, { raw: Buffer; deflated: Buffer }>();
  constructor(private readonly bytes: Uint8Array) {}

  render(values: Record<string, unknown>, extras: DocxExtras = {}): Uint8Array {
    if (!values || typeof values !== 'object') throw new TypeError('template data must be an object');
    const drawings = extras.drawings ?? {};
    const pictures = extras.pictures ?? [];
    const data: Record<string, unknown> = values;
    const shaped = shapeOf(data, drawings, pictures);
    if (!shaped) return this.renderDirect({ ...data, ...wholeDrawings(drawings) }, pictures);
    let shape = this.shapes.get(shaped.key);
    if (!shape) {
      shape = this.buildShape(shaped.markers, pictures);
      if (this.shapes.size >= MAX_SHAPES) this.shapes.delete(this.shapes.keys().next().value as string);
      this.shapes.set(shaped.key, shape);
    }
    return this.fillShape(shape, data, drawings, pictures);
  }

  /** The letter: its shape's parts with its own values, drawings and pictures in the markers' places. */
  private fillShape(
    shape: Shape,
    data: Record<string, unknown>,
    drawings: NonNullable<DocxExtras['drawings']>,
    pictures: NonNullable<DocxExtras['pictures']>,
  ): Uint8Array {
    const picturesByPart = new Map(pictures.map((p) => [p.part, p.bytes]));
    return zipInMemory(
      shape.parts.map((part) => {
        if ('entry' in part) {
          const picture = pictures.length ? picturesByPart.get(part.entry.name.toString('utf8')) : undefined;
          // A picture is compressed already: stored as it is.
          return picture
            ? { name: part.entry.name, method: 0, crc: zlib.crc32(picture) >>> 0, size: picture.length, body: picture }
            : part.entry;
        }
        const segments: (string | SharedXml)[] = [];
        for (let i = 0; i < part.pieces.length; i++) {
          const name = part.pieces[i]!;
          if (i % 2 === 0) segments.push(name);
          else if (!(name in drawings)) segments.push(utf8ToWord(data[name]));
          else segments.push(...[drawings[name]!].flat());
        }
        return this.segmentedEntry(part.name, segments);
      }),
      DOCX_ENTRY_DATE,
    );
  }

  /**
   * A zip entry of text made of segments: the large segments that come back are deflated once
   * (ending on a byte boundary, not final) and their bytes put between the freshly deflated
   * rest, which together form one valid deflate stream.
   */
  private segmentedEntry(name: string, segments: readonly (string | SharedXml)[]): PreparedEntry {
    if (segments.every((s) => typeof s === 'string')) return zipEntry(name, Buffer.from(segments.join(''), 'utf8'));
    const data: Buffer[] = [];
    let crc = 0;
    let size = 0;
    let fresh = '';
    const add = (part: { raw: Buffer; deflated: Buffer }) => {
      crc = crc32Continue(part.raw, crc);
      size += part.raw.length;
      data.push(part.deflated);
    };
    const flush = (final: boolean) => {
      const raw = Buffer.from(fresh, 'utf8');
      add({
        raw,
        deflated: zlib.deflateRawSync(raw, {
          level: 6,
          finishFlush: final ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
        }),
      });
      fresh = '';
    };
    for (const s of segments) {
      if (typeof s === 'string') {
        fresh += s;
        continue;
      }
      if (fresh) flush(false);
      let done = this.deflated.get(s);
      if (!done) {
        const raw = Buffer.from(s.xml, 'utf8');
        done = { raw, deflated: zlib.deflateRawSync(raw, { level: 6, finishFlush: zlib.constants.Z_SYNC_FLUSH }) };
        this.deflated.set(s, done);
      }
      add(done);
    }
    flush(true);
    return { name: Buffer.from(name, 'utf8'), method: 8, crc: crc >>> 0, size, body: Buffer.concat(data) };
  }

  /** docxtemplater on its own, for the rare values the fast path does not handle. */
  renderDirect(data: Record<string, unknown>, pictures: NonNullable<DocxExtras['pictures']> = []): Uint8Array {
    const doc = new Docxtemplater(new PizZip(this.bytes), docxOptions(docxtemplaterParser()));
    doc.render(data);
    const zip = doc.getZip();
    addPictures(zip, pictures);
    for (const p of pictures) zip.file(p.part, p.bytes, { date: ZIP_DATE });
    return zip.generate({ type: 'uint8array', compression: 'DEFLATE' });
  }

  private buildShape(markers: Record<string, unknown>, pictures: NonNullable<DocxExtras['pictures']>): Shape {
    const doc = new Docxtemplater(new PizZip(this.bytes), docxOptions(docxtemplaterParser()));
    doc.render(markers);
    const zip = doc.getZip();
    addPictures(zip, pictures);
    // A placeholder entry for each picture, replaced by the visit's own picture at render.
    for (const p of pictures) zip.file(p.part, p.bytes, { date: ZIP_DATE });
    const parts: Shape['parts'] = [];
    // [Content_Types].xml first, as Word writes it; then the package's own order.
    const names = Object.keys(zip.files).sort((a, b) => Number(b === CONTENT_TYPES) - Number(a === CONTENT_TYPES));
    for (const name of names) {
      const file = zip.files[name]!;
      if (file.dir) continue;
      const bytes = file.asUint8Array();
      const text = /\.(xml|rels)$/i.test(name) ? Buffer.from(bytes).toString('utf8') : '';
      if (text.includes(MARKER_OPEN)) parts.push({ name, pieces: text.split(MARKER_PATTERN) });
      else parts.push({ entry: zipEntry(name, bytes) });
    }
    return { parts };
  }
}

const ZIP_DATE = new Date(2026, 0, 1, 0, 0, 0);

/** Declares the pictures in the package: their relationships (when missing) and the content type of PNG. */
function addPictures(zip: PizZip, pictures: NonNullable<DocxExtras['pictures']>): void {
  if (pictures.length === 0) return;
  const relsName = 'word/_rels/document.xml.rels';
  let rels =
    zip.file(relsName)?.asText() ??
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>';
  for (const p of pictures) {
    if (rels.includes(`Id="${p.relationshipId}"`)) continue;
    rels = rels.replace(
      '</Relationships>',
      `<Relationship Id="${p.relationshipId}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="${p.target}"/></Relationships>`,
    );
  }
  zip.file(relsName, rels, { date: ZIP_DATE });
  const types = zip.file(CONTENT_TYPES)?.asText();
  if (types && !/Extension="png"/i.test(types))
    zip.file(CONTENT_TYPES, types.replace('<Default ', '<Default Extension="png" ContentType="image/png"/><Default '), {
      date: ZIP_DATE,
    });
}

/** One shape of a Word template: its files, either finished or to be filled with a letter's values. */
/**
 * A letter's shape: the key of what decides its paragraphs and rows, and the data to render it
 * with (a marker in place of every text value). Undefined when a value cannot stand behind a
 * marker (line breaks, marker characters): such a letter goes through docxtemplater directly.
 */
function shapeOf(
  data: Record<string, unknown>,
  drawings: NonNullable<DocxExtras['drawings']>,
  pictures: NonNullable<DocxExtras['pictures']>,
): { key: string; markers: Record<string, unknown> } | undefined {
  const markers: Record<string, unknown> = {};
  const key: string[] = pictures.map((p) => `${p.relationshipId}>${p.part}`);
  for (const name of Object.keys(drawings)) {
    // Inserted as they are (never escaped), so any XML takes the fast path.
    key.push(`${name}:d`);
    markers[name] = `${MARKER_OPEN}${name}${MARKER_CLOSE}`;
  }
  for (const [name, value] of Object.entries(data)) {
    if (name in drawings) continue;
    if (typeof value === 'string' && MARKER_UNSAFE.test(value)) return undefined;
    if (value === undefined || value === null) key.push(`${name}:n`);
    else if (value === '') key.push(`${name}:e`);
    else if (typeof value === 'string' || typeof value === 'number') {
      key.push(`${name}:v`);
      markers[name] = `${MARKER_OPEN}${name}${MARKER_CLOSE}`;
      continue;
    } else key.push(`${name}:${JSON.stringify(value)}`);
    markers[name] = value;
  }
  return { key: key.join('\u0000'), markers };
}

/** Each drawing as one string of XML (for docxtemplater). */
function wholeDrawings(drawings: NonNullable<DocxExtras['drawings']>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(drawings).map(([n, xml]) => [
      n,
      [xml]
        .flat()
        .map((x) => (typeof x === 'string' ? x : x.xml))
        .join(''),
    ]),
  );
}

interface Shape {
  /** In package order: a finished zip entry, or a file as text and tag names alternating `[text, tag, text, …]`. */
  parts: ({ entry: PreparedEntry } | { name: string; pieces: string[] })[];
}

/** Private-use characters around a tag's name: never in real data, untouched by XML escaping. */
const MARKER_OPEN = '\uE000';
const MARKER_CLOSE = '\uE001';
const MARKER_PATTERN = /\uE000([^\uE001]*)\uE001/;
/** Values the fast path leaves to docxtemplater: line breaks (turned into <w:br/>) and marker characters. */
const MARKER_UNSAFE = /[\r\n\uE000\uE001]/;
const MAX_SHAPES = 256;
const CONTENT_TYPES = '[Content_Types].xml';

const utf8ToWord = (Docxtemplater as unknown as { DocUtils: { utf8ToWord(value: unknown): string } }).DocUtils
  .utf8ToWord;

/** Every entry of a .docx is dated 2026-01-01 00:00, so that the same letter gives the same bytes. */
const DOCX_ENTRY_DATE = '2026-01-01';
/** Deflate level 6: Word documents are built on the hot path of a mailing (9 costs more, saves little). */
const zipEntry = (name: string, content: Uint8Array): PreparedEntry =>
  prepareEntry(name, content, { deflate: true, level: 6 });

/** CRC-32 of `data` continuing from `previous` (the CRC of what came before it). */
function crc32Continue(data: Uint8Array, previous: number): number {
  const native = (zlib as { crc32?: (d: Uint8Array, v: number) => number }).crc32;
  if (native) return native(data, previous);
  let c = ~previous >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

function docxOptions(parser: DxtParser): Docxtemplater.DXT.ConstructorOptions {
  const options = { paragraphLoop: true, linebreaks: true, parser, nullGetter: refuseNull, errorLogging: false };
  return options as unknown as Docxtemplater.DXT.ConstructorOptions;
}

// ---------------------------------------------------------------------------------------
// The parser: docxtemplater's default one, wrapped to record every tag at compile time and
// to refuse an empty text value at render time.

interface DxtPart {
  type: string;
  value: string;
  module?: string;
  inverted?: boolean;
  offset?: number | number[];
  lIndex?: number | string;
  subparsed?: DxtPart[];
}
type DxtGetter = { get(scope: unknown, context: unknown): unknown };
type DxtParser = (tag: string, meta: { tag?: DxtPart }) => DxtGetter;

/** One `{tag}`, `{#tag}` or `{^tag}` in a template. */
interface TagUse {
  part: DxtPart;
}

const defaultParser = (
  Docxtemplater as unknown as { DocUtils: { getDefaults(): { parser: DxtParser } } }
).DocUtils.getDefaults().parser;

/** docxtemplater's default parser (a tag is a name looked up in the data, nothing else). */
function docxtemplaterParser(): DxtParser {
  return (tag, meta) => {
    const base = defaultParser(tag, meta);
    if (meta.tag?.module) return base;
    return {
      get(scope, context) {
        const value = base.get(scope, context);
        if (value === '') throw new EmptyValue(tag);
        return value;
      },
    };
  };
}

function collectingParser(uses: TagUse[]): DxtParser {
  const parser = docxtemplaterParser();
  return (tag, meta) => {
    if (meta.tag) uses.push({ part: meta.tag });
    return parser(tag, meta);
  };
}

class MissingValue extends Error {
  constructor(readonly tag: string) {
    super(`no value for {${tag}}`);
  }
}
class EmptyValue extends Error {
  constructor(readonly tag: string) {
    super(`empty value for {${tag}}`);
  }
}

/** docxtemplater's nullGetter: a null/undefined value is an error, never a blank. */
function refuseNull(part: { value: string }): never {
  throw new MissingValue(part.value);
}

// ---------------------------------------------------------------------------------------
// Checking the tags against the vocabulary.

const TOP_TAGS = new Set(Object.keys(TEMPLATE_TAGS));
const LOOP_TAGS = new Set<string>(QUESTION_TAGS);

function knownTagsHint(): string {
  return `known tags: ${[...TOP_TAGS].map((t) => `{${t}}`).join(' ')}; inside {#questions}…{/questions} also ${QUESTION_TAGS.map((t) => `{${t}}`).join(' ')} (see docs/templates.md)`;
}

interface PlacedUse {
  part: DxtPart;
  /** Names of the sections around it, outermost first. */
  within: string[];
}

/** Puts every recorded tag in its place in the nesting of sections. */
function nest(uses: TagUse[]): PlacedUse[] {
  const parentOf = new Map<DxtPart, DxtPart>();
  for (const { part } of uses)
    for (const child of part.subparsed ?? []) if (child.type === 'placeholder') parentOf.set(child, part);
  const placed = uses.map(({ part }) => {
    const within: string[] = [];
    for (let p = parentOf.get(part); p; p = parentOf.get(p)) within.unshift(p.value);
    return { part, within };
  });
  const order = (p: DxtPart): number =>
    typeof p.lIndex === 'number' ? p.lIndex : Number.parseInt(String(p.lIndex ?? 0), 10);
  return placed.sort((a, b) => order(a.part) - order(b.part));
}

/** Refuses a template whose tags fall outside the vocabulary; returns the tags it uses. */
function checkTags(file: string, uses: TagUse[]): string[] {
  const shown = displayPath(file);
  const messages: Message[] = [];
  const tags: string[] = [];
  for (const { part, within } of nest(uses)) {
    const name = part.value;
    const verdict =
      part.module === 'rawxml' || name in DOCX_DRAWING_TAGS
        ? drawingTagVerdict(part, within)
        : textTagVerdict(part, within);
    if ('use' in verdict) {
      if (!tags.includes(verdict.use)) tags.push(verdict.use);
    } else if (!messages.some((m) => m.ruleId === verdict.ruleId && m.actual === name)) {
      messages.push(message(verdict.ruleId, verdict.reason, { file }, { fix: verdict.fix, actual: name }));
    }
  }
  if (messages.length > 0) {
    const names = [...new Set(messages.map((m) => `{${m.actual}}`))].join(', ');
    throw new InputError(
      `Template ${shown} uses ${messages.length === 1 ? 'a tag' : 'tags'} it cannot: ${names}`,
      messages,
    );
  }
  return tags;
}

/** A tag in its place: the name it is used under, or the problem with it. */
type TagVerdict = { use: string } | { ruleId: string; reason: string; fix: string };

/** A `{@…}` tag, or a drawing's name written otherwise: drawn paragraphs stand alone, outside sections. */
function drawingTagVerdict(part: DxtPart, within: string[]): TagVerdict {
  const name = part.value;
  if (part.module === 'rawxml' && name in DOCX_DRAWING_TAGS && within.length === 0) return { use: name };
  if (part.module === 'rawxml' && !(name in DOCX_DRAWING_TAGS)) {
    return {
      ruleId: 'template/unknown-tag',
      reason: `unknown tag {@${name}}`,
      fix: `a {@…} paragraph is drawn by huifang: only ${Object.keys(DOCX_DRAWING_TAGS)
        .map((t) => `{@${t}}`)
        .join(' ')}`,
    };
  }
  return {
    ruleId: 'template/misused-tag',
    reason: `{${name}} must stand alone in its paragraph as {@${name}}, outside any section`,
    fix: `write {@${name}} on a line of its own`,
  };
}

/** A value or section tag: known, in a section where it means something, guarded when optional. */
function textTagVerdict(part: DxtPart, within: string[]): TagVerdict {
  const name = part.value;
  const section = part.module === 'loop';
  const inQuestions = within.includes('questions');
  const spelled = section ? `{${part.inverted ? '^' : '#'}${name}}` : `{${name}}`;
  const known = TOP_TAGS.has(name) || (inQuestions && LOOP_TAGS.has(name));
  if (!known) {
    const hint = LOOP_TAGS.has(name)
      ? `{${name}} is a question's value: use it only inside {#questions}…{/questions}`
      : suggestion(name, inQuestions);
    return {
      ruleId: 'template/unknown-tag',
      reason: `unknown tag ${spelled}`,
      fix: `${hint ? hint + '; ' : ''}${knownTagsHint()}`,
    };
  }
  if (name === 'questions' && inQuestions) {
    return {
      ruleId: 'template/misused-tag',
      reason: `${spelled} is used inside {#questions}…{/questions}`,
      fix: 'a loop over the questions cannot contain another one',
    };
  }
  if (!section && SECTION_ONLY_TAGS[name]) {
    return {
      ruleId: 'template/misused-tag',
      reason: `{${name}} would print raw data: it is ${SECTION_ONLY_TAGS[name]}`,
      fix: `write {#${name}}…{/${name}} instead`,
    };
  }
  if (!section && OPTIONAL_TAGS.includes(name) && !within.includes(name)) {
    return {
      ruleId: 'template/unguarded-optional-tag',
      reason: `{${name}} is empty for some visits and would leave a blank`,
      fix: `wrap it as {#${name}}…{${name}}…{/${name}} so the phrase is left out when there is no value`,
    };
  }
  return { use: inQuestions && LOOP_TAGS.has(name) ? `questions.${name}` : name };
}

/** "did you mean {customerName}?" for a tag one or two typos away from a known one. */
function suggestion(name: string, inQuestions: boolean): string {
  const candidates = [...TOP_TAGS, ...(inQuestions ? LOOP_TAGS : [])];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best && bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? `did you mean {${best}}?` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const swap =
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? (prev[j - 2] ?? Infinity) + 0 : Infinity;
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        swap,
      );
    }
    prev = row;
  }
  return prev[b.length] ?? Infinity;
}

// ---------------------------------------------------------------------------------------
// Turning docxtemplater's errors into messages for people.

interface DxtErrorProperties {
  id?: string;
  explanation?: string;
  xtag?: string;
  file?: string;
  offset?: number | number[];
  errors?: { message: string; properties?: DxtErrorProperties }[];
  rootError?: unknown;
}

/** The start of a tag as written, on one line and short enough to read in a message. */
function shortTag(xtag: string): string {
  const first = xtag.split('\n')[0]?.trim() ?? '';
  return first.length > 30 ? `${first.slice(0, 30)}…` : first;
}

function lineOf(text: string, offset: number | number[] | undefined): number | undefined {
  const at = Array.isArray(offset) ? offset[0] : offset;
  if (at === undefined) return undefined;
  return text.slice(0, at).split('\n').length;
}

/** A template docxtemplater cannot compile: every error, with the file and the tag. */
function syntaxError(file: string, error: unknown, text?: string): Error {
  if (error instanceof MissingValue || error instanceof EmptyValue || error instanceof InputError) return error;
  const props = (error as { properties?: DxtErrorProperties }).properties;
  if (!props) return error as Error;
  const shown = displayPath(file);
  const all = props.errors?.length ? props.errors : [{ message: (error as Error).message, properties: props }];
  const messages = all.map((e) => {
    const p = e.properties ?? {};
    const line = text !== undefined ? lineOf(text, p.offset) : undefined;
    const entry = p.file && p.file !== 'text' ? p.file : undefined;
    const where = line !== undefined ? ` on line ${line}` : entry ? ` in ${entry}` : '';
    const tag = p.xtag !== undefined ? shortTag(p.xtag) : undefined;
    const explanation = (p.explanation ?? e.message).replace(/\s*\n\s*/g, ' ');
    const reason =
      p.id === 'unclosed_tag' && tag
        ? `the tag "{${tag}" is not closed with "}"`
        : p.id === 'unopened_tag' && tag
          ? `the tag "${tag}}" has no opening "{"`
          : explanation;
    return message(
      'template/syntax',
      `syntax error${where}: ${reason}${reason === explanation ? '' : ` (docxtemplater: ${explanation})`}`,
      { file, ...(entry ? { entry } : {}) },
      {
        fix: 'close every {tag} with "}" and every {#section} with the matching {/section}; see docs/templates.md',
        ...(tag ? { actual: tag } : {}),
      },
    );
  });
  return new InputError(
    `Template ${shown} cannot be read: ${messages.length} syntax error${messages.length === 1 ? '' : 's'}`,
    messages,
  );
}

/** A value the template needs is missing or empty for this visit. */
function renderError(file: string, error: unknown, data: TemplateData): Error {
  const cause = findCause(error);
  if (!cause) return error as Error;
  const shown = displayPath(file);
  const visitId = typeof data?.visitId === 'string' && data.visitId ? data.visitId : undefined;
  const what = cause instanceof MissingValue ? 'has no value' : 'is empty';
  return new InputError(`Template ${shown}: {${cause.tag}} ${what}${visitId ? ` for visit ${visitId}` : ''}`, [
    message(
      'template/missing-value',
      `{${cause.tag}} ${what}${visitId ? ` for visit ${visitId}` : ''}; the letter would print a blank there (template ${shown})`,
      { file, ...(visitId ? { visitId } : {}) },
      {
        fix: `fill in the customer's data for {${cause.tag}}, or leave the phrase out of the template`,
        actual: cause.tag,
      },
    ),
  ]);
}

function findCause(error: unknown, depth = 0): MissingValue | EmptyValue | undefined {
  if (error instanceof MissingValue || error instanceof EmptyValue) return error;
  if (depth > 4 || !error || typeof error !== 'object') return undefined;
  const props = (error as { properties?: DxtErrorProperties }).properties;
  if (!props) return undefined;
  for (const e of props.errors ?? []) {
    const found = findCause(e, depth + 1);
    if (found) return found;
  }
  return findCause(props.rootError, depth + 1);
}
