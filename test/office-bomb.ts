/**
 * Office files for the limits tests: a real XLSX (or DOCX) whose one part is generated as a
 * stream, so a part that expands to hundreds of megabytes is written without ever being held
 * in memory. A plain zip writer (deflate, data descriptors, CRC-32 from zlib).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createDeflateRaw, crc32 } from 'node:zlib';

export interface BombEntry {
  name: string;
  /** The part's content, chunk by chunk. */
  chunks: () => Iterable<Buffer>;
}

async function put(out: WriteStream, b: Buffer): Promise<void> {
  if (!out.write(b)) await once(out, 'drain');
}

/** Writes a zip of deflated entries to `path`. */
export async function writeZip(path: string, entries: BombEntry[]): Promise<void> {
  const out = createWriteStream(path);
  let offset = 0;
  const central: Buffer[] = [];
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // data descriptor, UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(name.length, 26);
    await put(out, Buffer.concat([local, name]));
    const start = offset;
    offset += 30 + name.length;
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: 9 });
    const done = new Promise<void>((resolve, reject) => {
      deflate.on('data', (c: Buffer) => {
        compressed += c.length;
        if (!out.write(c)) {
          deflate.pause();
          out.once('drain', () => deflate.resume());
        }
      });
      deflate.on('end', resolve);
      deflate.on('error', reject);
    });
    for (const chunk of e.chunks()) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      if (!deflate.write(chunk)) await once(deflate, 'drain');
    }
    deflate.end();
    await done;
    offset += compressed;
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    await put(out, descriptor);
    offset += 16;
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0808, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(compressed, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(start, 42);
    central.push(Buffer.concat([cd, name]));
  }
  const cdBytes = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  await put(out, Buffer.concat([cdBytes, eocd]));
  out.end();
  await once(out, 'finish');
}

const xml = (s: string) => () => [Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`, 'utf8')];

/**
 * A customer-list workbook (header and one row in shared strings) whose shared strings part
 * carries `padMegabytes` of one repeated string more: a few hundred kilobytes on disk.
 */
export function xlsxBomb(path: string, padMegabytes: number): Promise<void> {
  const header = [
    '客户号',
    '姓名',
    '客户类型',
    '营业部代码',
    '营业部名称',
    '通讯地址',
    '邮编',
    '联系电话',
    '电子邮件',
    '开户日期',
  ];
  const values = [
    '310100090001',
    '王示例',
    '个人',
    '3101',
    '上海浦东南路证券营业部',
    '上海市浦东新区浦东南路100弄1号101室',
    '200120',
    '13800009001',
    'wang@example.cn',
    '2026-09-02',
  ];
  const strings = [...header, ...values];
  const col = (i: number) => String.fromCharCode(65 + i);
  const rowXml = (r: number, offset: number) =>
    `<row r="${r}">${header.map((_, i) => `<c r="${col(i)}${r}" t="s"><v>${offset + i}</v></c>`).join('')}</row>`;
  const pad = `<si><t>${'A'.repeat(1000)}</t></si>`;
  const padCount = Math.ceil((padMegabytes * 2 ** 20) / pad.length);
  return writeZip(path, [
    {
      name: '[Content_Types].xml',
      chunks: xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
      ),
    },
    {
      name: '_rels/.rels',
      chunks: xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      ),
    },
    {
      name: 'xl/workbook.xml',
      chunks: xml(
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="list" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      chunks: xml(
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
      ),
    },
    {
      name: 'xl/worksheets/sheet1.xml',
      chunks: xml(
        `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${rowXml(1, 0)}${rowXml(2, header.length)}</sheetData></worksheet>`,
      ),
    },
    {
      name: 'xl/sharedStrings.xml',
      chunks: function* () {
        yield Buffer.from(
          `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings.length + padCount}" uniqueCount="${strings.length + padCount}">${strings.map((s) => `<si><t>${s}</t></si>`).join('')}`,
          'utf8',
        );
        const block = Buffer.from(pad.repeat(1024), 'utf8');
        for (let written = 0; written < padCount; written += 1024) yield block;
        yield Buffer.from('</sst>', 'utf8');
      },
    },
  ]);
}
