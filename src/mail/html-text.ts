/**
 * HTML e-mail bodies as readable text for the printout, by html-to-text (the converter
 * mailparser itself uses): block elements start lines, table cells are laid out in columns,
 * list items get a bullet, links keep their address, scripts, styles and comments disappear,
 * entities are decoded. No DOM, no network: remote images are never fetched, they are listed
 * by their alt text.
 *
 * Measured against the hand-written converter it replaced, on samples/emails/02: the same
 * lines; 3.4 ms a body against 0.5 ms, nothing beside the printout's PDF (tens of ms).
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';

const OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { linkBrackets: [' <', '>'], hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'altText' },
    { selector: 'ul', options: { itemPrefix: '• ' } },
    {
      selector: 'table',
      format: 'dataTable',
      options: { colSpacing: 4, uppercaseHeaderCells: false, maxColumnWidth: 200 },
    },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'hr', options: { length: 8 } },
  ],
  formatters: {
    altText: (elem, _walk, builder) => {
      const alt = elem.attribs?.alt;
      if (alt) builder.addInline(`[图片: ${alt}]`);
    },
  },
};

/** Converts an HTML body to text a clerk can read on paper. */
export function htmlToText(html: string): string {
  return convert(html, OPTIONS).trim();
}
