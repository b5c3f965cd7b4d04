/**
 * PDF printouts of e-mails made by a mail client (Outlook, Thunderbird, Foxmail, webmail
 * "print to PDF"): recognised by their header lines — a `From:`/`发件人：` line and a
 * `Subject:`/`主题：` line near the top of the first page — and read for matching: subject,
 * sender address and the text (for visit ids).
 */

export interface PdfTextPage {
  page: number;
  lines: string[];
}

/** The text of a PDF's pages as lines (items grouped by baseline), up to `maxPages`. */
export async function pdfTextLines(
  bytes: Uint8Array,
  maxPages = 3,
): Promise<{ pageCount: number; pages: PdfTextPage[] }> {
  // pdf.js is loaded on first use: loading it costs commands that never need it a second and about 150 MB.
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const pages: PdfTextPage[] = [];
    for (let n = 1; n <= Math.min(doc.numPages, maxPages); n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const rows = new Map<number, { x: number; str: string }[]>();
      for (const item of content.items) {
        if (!('str' in item) || !item.str) continue;
        const y = Math.round(item.transform[5] as number);
        const key = [...rows.keys()].find((k) => Math.abs(k - y) <= 2) ?? y;
        const row = rows.get(key) ?? [];
        row.push({ x: item.transform[4] as number, str: item.str });
        rows.set(key, row);
      }
      const lines = [...rows.entries()]
        .sort((a, b) => b[0] - a[0])
        .map(([, items]) =>
          items
            .sort((a, b) => a.x - b.x)
            .map((i) => i.str)
            .join('')
            .replace(/\s+/g, ' ')
            .trim(),
        )
        .filter(Boolean);
      pages.push({ page: n, lines });
      page.cleanup();
    }
    return { pageCount: doc.numPages, pages };
  } finally {
    await doc.destroy();
  }
}

export interface MailClientPrintout {
  subject: string;
  /** Sender addresses found on the From line. */
  senders: string[];
  fromLine: string;
  /** All text read (first pages), for visit ids. */
  text: string;
  pageCount: number;
}

const FROM = /^(?:from|发件人|寄件者|寄件人)\s*[:：]\s*(.*)$/i;
const SUBJECT = /^(?:subject|主题|主旨|主題)\s*[:：]\s*(.*)$/i;
const ADDRESS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/**
 * Reads a PDF as a mail client's printout of an e-mail; null when its first page has no
 * From and Subject header lines in its first 25 lines (a scan, a letter, anything else).
 */
export async function readMailClientPrintout(bytes: Uint8Array): Promise<MailClientPrintout | null> {
  const { pageCount, pages } = await pdfTextLines(bytes);
  const first = pages[0]?.lines.slice(0, 25) ?? [];
  const fromIndex = first.findIndex((l) => FROM.test(l));
  const subjectIndex = first.findIndex((l) => SUBJECT.test(l));
  if (fromIndex < 0 || subjectIndex < 0) return null;
  // The address may sit on the From line or the line after it (a long display name wraps).
  const fromLine = first[fromIndex]!;
  const fromText = `${fromLine} ${first[fromIndex + 1] ?? ''}`;
  const senders = [
    ...new Set((FROM.exec(fromLine)![1]!.match(ADDRESS) ?? fromText.match(ADDRESS) ?? []).map((a) => a.toLowerCase())),
  ];
  return {
    subject: SUBJECT.exec(first[subjectIndex]!)![1]!.trim(),
    senders,
    fromLine,
    text: pages.map((p) => p.lines.join('\n')).join('\n'),
    pageCount,
  };
}
