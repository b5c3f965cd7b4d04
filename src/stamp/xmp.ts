/**
 * XMP metadata (ISO 16684-1) for stamped PDFs: an RDF/XML packet with Dublin Core, XMP,
 * PDF and a huifang namespace naming the visit, customer, document kind, source SHA-256 and
 * archive reference — so that any XMP reader (exiftool, Acrobat, `pdfinfo -meta`) finds them.
 */

/** The huifang XMP namespace and its prefix. */
export const HUIFANG_XMP_NS = 'http://ns.huifang.dev/archive/1.0/';
const HUIFANG_XMP_PREFIX = 'huifang';

export interface XmpFields {
  title: string;
  description: string;
  keywords: string;
  /** dc:identifier: the archive reference. */
  identifier: string;
  producer?: string;
  creatorTool: string;
  /** ISO date-time; written as xmp:ModifyDate and xmp:MetadataDate when given. */
  modifyDate?: string;
  createDate?: string;
  documentId: string;
  instanceId: string;
  /** huifang:* properties, e.g. `{ VisitId: 'HF-…' }`. */
  huifang: Record<string, string>;
}

/** Escapes text for XML character data and attribute values. */
function xmlEscape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** Builds the XMP packet (UTF-8, with the standard wrapper and padding for in-place edits). */
export function buildXmp(f: XmpFields): string {
  const e = xmlEscape;
  const lines = [
    `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>`,
    `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="huifang">`,
    ` <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`,
    `  <rdf:Description rdf:about=""`,
    `    xmlns:dc="http://purl.org/dc/elements/1.1/"`,
    `    xmlns:xmp="http://ns.adobe.com/xap/1.0/"`,
    `    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"`,
    `    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"`,
    `    xmlns:${HUIFANG_XMP_PREFIX}="${HUIFANG_XMP_NS}">`,
    `   <dc:format>application/pdf</dc:format>`,
    `   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${e(f.title)}</rdf:li></rdf:Alt></dc:title>`,
    `   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${e(f.description)}</rdf:li></rdf:Alt></dc:description>`,
    `   <dc:identifier>${e(f.identifier)}</dc:identifier>`,
    `   <dc:subject><rdf:Bag>${f.keywords
      .split(/\s*;\s*/)
      .filter(Boolean)
      .map((k) => `<rdf:li>${e(k)}</rdf:li>`)
      .join('')}</rdf:Bag></dc:subject>`,
    `   <pdf:Keywords>${e(f.keywords)}</pdf:Keywords>`,
    ...(f.producer ? [`   <pdf:Producer>${e(f.producer)}</pdf:Producer>`] : []),
    `   <xmp:CreatorTool>${e(f.creatorTool)}</xmp:CreatorTool>`,
    ...(f.createDate ? [`   <xmp:CreateDate>${e(f.createDate)}</xmp:CreateDate>`] : []),
    ...(f.modifyDate
      ? [
          `   <xmp:ModifyDate>${e(f.modifyDate)}</xmp:ModifyDate>`,
          `   <xmp:MetadataDate>${e(f.modifyDate)}</xmp:MetadataDate>`,
        ]
      : []),
    `   <xmpMM:DocumentID>${e(f.documentId)}</xmpMM:DocumentID>`,
    `   <xmpMM:InstanceID>${e(f.instanceId)}</xmpMM:InstanceID>`,
    ...Object.entries(f.huifang).map(([k, v]) => `   <${HUIFANG_XMP_PREFIX}:${k}>${e(v)}</${HUIFANG_XMP_PREFIX}:${k}>`),
    `  </rdf:Description>`,
    ` </rdf:RDF>`,
    `</x:xmpmeta>`,
  ];
  const padding = (' '.repeat(99) + '\n').repeat(20);
  return `${lines.join('\n')}\n${padding}<?xpacket end="w"?>`;
}

/**
 * Reads the huifang properties back from an XMP packet (simple properties only). A small
 * reader for tests and the archive verifier; it checks the namespace is bound, not just a prefix.
 */
export function readHuifangXmp(xml: string): Record<string, string> {
  const bound = new RegExp(`xmlns:(\\w+)="${HUIFANG_XMP_NS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).exec(xml);
  if (!bound) return {};
  const prefix = bound[1]!;
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(new RegExp(`<${prefix}:(\\w+)>([^<]*)</${prefix}:\\1>`, 'g'))) {
    out[m[1]!] = m[2]!.replace(
      /&(amp|lt|gt|quot|apos);/g,
      (_, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[n]!,
    );
  }
  return out;
}
