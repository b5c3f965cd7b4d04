/**
 * Turns PDF pages into pixels with pdf.js and its bundled canvas: used to look at what was
 * rendered (tests), to simulate returned scans, and to read scanned PDFs whose pages are
 * not a single image.
 */

export interface RasterPage {
  /** 1-based page number. */
  page: number;
  width: number;
  height: number;
  dpi: number;
  /** RGBA, 4 bytes a pixel, row by row. */
  data: Uint8ClampedArray;
}

export interface RasterizeOptions {
  /** Resolution in dots per inch (default 150). */
  dpi?: number;
  /** 1-based page numbers to render (default: all). */
  pages?: number[];
}

/** Renders pages of a PDF to RGBA pixels on a white background. */
export async function rasterizePdf(bytes: Uint8Array, options: RasterizeOptions = {}): Promise<RasterPage[]> {
  const dpi = options.dpi ?? 150;
  // pdf.js may detach the buffer it is given: hand it a copy.
  // pdf.js is loaded on first use: loading it costs commands that never need it a second and about 150 MB.
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false });
  const doc = await task.promise;
  try {
    const numbers = options.pages ?? Array.from({ length: doc.numPages }, (_, i) => i + 1);
    const out: RasterPage[] = [];
    for (const n of numbers) {
      if (n < 1 || n > doc.numPages)
        throw new RangeError(`page ${n} does not exist: the PDF has ${doc.numPages} pages`);
      const page = await doc.getPage(n);
      const viewport = page.getViewport({ scale: dpi / 72 });
      const width = Math.ceil(viewport.width);
      const height = Math.ceil(viewport.height);
      const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
      const { canvas, context } = factory.create(width, height);
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, width, height);
      await page.render({ canvasContext: context as never, viewport, canvas: canvas as never }).promise;
      const image = context.getImageData(0, 0, width, height);
      out.push({ page: n, width, height, dpi, data: image.data });
      factory.destroy({ canvas, context });
      page.cleanup();
    }
    return out;
  } finally {
    await doc.destroy();
  }
}

interface CanvasLike {
  width: number;
  height: number;
}
interface ContextLike {
  fillStyle: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
}
interface CanvasFactory {
  create(width: number, height: number): { canvas: CanvasLike; context: ContextLike };
  destroy(pair: { canvas: CanvasLike; context: ContextLike }): void;
}
