/**
 * HTML e-mail bodies as readable text for the printout: block elements start lines, table
 * cells are separated, list items get a bullet, links keep their address, scripts, styles
 * and comments disappear, entities are decoded. Pure; no DOM, no network (remote images
 * are never fetched, they are listed by their alt text).
 */

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®', middot: '·',
  mdash: '—', ndash: '–', hellip: '…', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', yen: '¥',
  times: '×', divide: '÷', bull: '•', emsp: ' ', ensp: ' ', thinsp: ' ', laquo: '«', raquo: '»',
  deg: '°', plusmn: '±', trade: '™', euro: '€', para: '¶', sect: '§', zwsp: '',
};

/** Decodes `&amp;`, `&#20320;`, `&#x4f60;` and the common named entities; unknown ones stay as written. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const BLOCK = new Set(['p', 'div', 'section', 'article', 'header', 'footer', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'hr', 'address', 'center', 'form', 'dl', 'dt', 'dd', 'title']);

/** Converts an HTML body to text a clerk can read on paper. */
export function htmlToText(html: string): string {
  let s = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|template|noscript)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!doctype[^>]*>/gi, '');
  const out: string[] = [];
  const pre: boolean[] = [];
  const links: { href: string; start: number }[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s=>\/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/g;
  let last = 0;
  const emitText = (raw: string): void => {
    if (!raw) return;
    const text = decodeEntities(raw);
    out.push(pre.length > 0 ? text : text.replace(/[ \t\r\n\f]+/g, ' '));
  };
  for (const m of s.matchAll(tag)) {
    emitText(s.slice(last, m.index));
    last = m.index! + m[0].length;
    const closing = m[1] === '/';
    const name = m[2]!.toLowerCase();
    const attrs = m[3] ?? '';
    const attr = (key: string): string | undefined => {
      const a = new RegExp(`\\s${key}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
      return a ? decodeEntities(a[1] ?? a[2] ?? a[3] ?? '') : undefined;
    };
    if (name === 'br') out.push('\n');
    else if (name === 'pre') {
      out.push('\n');
      if (closing) pre.pop();
      else pre.push(true);
    } else if (name === 'li') {
      if (!closing) out.push('\n• ');
    } else if (name === 'td' || name === 'th') {
      if (closing) out.push('\t');
    } else if (name === 'img' && !closing) {
      const alt = attr('alt');
      if (alt) out.push(`[图片: ${alt}]`);
    } else if (name === 'a') {
      if (!closing) links.push({ href: attr('href') ?? '', start: out.length });
      else {
        const link = links.pop();
        const target = link?.href.replace(/^mailto:/i, '') ?? '';
        const shown = link ? out.slice(link.start).join('').trim() : '';
        if (link && /^(https?|mailto):/i.test(link.href) && shown !== target) out.push(` <${target}>`);
      }
    } else if (name === 'tr') {
      if (!closing) out.push('\n');
    } else if (BLOCK.has(name)) {
      out.push(name === 'hr' ? '\n────────\n' : '\n');
    }
  }
  emitText(s.slice(last));
  s = out.join('');
  // Tidy: cells separated by a wide gap, no trailing blanks, at most one empty line in a row.
  return s
    .split('\n')
    .map((line) => line.replace(/\t+$/, '').replace(/\t/g, '    ').replace(/[ \u00a0]+$/, '').replace(/^ +(?!• )/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
