/**
 * The ground truth written beside every simulated file (`<file>.truth.json`) and the
 * index of a whole run (`truth.json`). Documented in docs/simulate.md; the scan accuracy
 * benchmark and the ingest tests read it. Bump TRUTH_VERSION on any incompatible change.
 */
import type { Answer } from '../domain/questions.ts';
import type { Colour, Cut, Matrix, Noise, PhoneShot, Shadow } from './degrade.ts';
import type { Compression } from './encode.ts';
import type { MarkStyle } from './ink.ts';

export const TRUTH_VERSION = 1;

export type PageKind = 'form' | 'letter' | 'envelope' | 'postal-receipt';
export type FileFormat = 'jpeg' | 'png' | 'tiff' | 'pdf';

export interface DegradationTruth {
  dpi: number;
  skewDeg: number;
  rotated180: boolean;
  /** File format and the page image's compression inside it. */
  format: FileFormat;
  compression: Compression;
  colour: Colour;
  jpegQuality: number | null;
  /** Millimetres of the page cut off each edge of the image. */
  cut: Cut;
  noise: Noise;
  shadow: Shadow | null;
  blur: number;
  scale: number;
  shiftMm: { x: number; y: number };
  photographed: boolean;
  perspective: { x: number; y: number }[] | null;
  /**
   * A phone photo: the 12 MP frame, the resolution its JPEG claims (72), the camera's tilt,
   * the lamp's fall-off, the shadow of the phone or hand, white balance and table (absent for
   * scans). `dpi` is then the resolution the page was rendered at before it was photographed.
   */
  phone?: PhoneShot;
  /** Image size in pixels. */
  width: number;
  height: number;
  /** Page millimetres (origin top-left) → image pixels, 3×3 row-major projective matrix. */
  pageToImage: Matrix;
  /** Registration marks (TL, TR, BR, BL) and QR codes (top-right, bottom-left) wholly inside the image. */
  marksInside: boolean[];
  qrInside: boolean[];
  /** A speckled fax: the share of pixels flipped black↔white (absent: none). */
  impulse?: number;
  /** Both QR codes torn off or covered: only the printed visit id identifies the page (absent: false). */
  codesTorn?: boolean;
}

export interface QuestionTruth {
  /** Box values with a standing mark. */
  marked: string[];
  /** Box values marked, then scribbled out. */
  crossedOut: string[];
  style: MarkStyle | null;
  outside: boolean;
}

export interface PageTruth {
  /** 1-based page in the file. */
  page: number;
  /** The visit the page belongs to (for envelopes and receipts: the preceding form's visit). */
  visitId: string | null;
  kind: PageKind;
  /** For a postal receipt: the tracking number its barcode carries (listed in the run's `mailing.csv`). */
  trackingNumber?: string;
  /** Whether the page carries QR codes (forms, letters and printed return envelopes do; receipts and customers' own envelopes do not). */
  hasQr: boolean;
  /** Layout id as in the QR payload, or null for pages without QR codes. */
  layout: string | null;
  /** The QR payload printed on the page, or null. */
  qrPayload: string | null;
  /** Source PDF (relative to the letters folder) and its page, for pages rendered by huifang. */
  source: { pdf: string; page: number } | null;
  /** Each question's intended answer: `yes`/`no`, a choice value, or null (blank, or two standing marks). Forms only. */
  answers: Record<string, Answer>;
  /** What each question's boxes hold. Forms only. */
  marks: Record<string, QuestionTruth>;
  /** Why a person must look at the page, whatever the reader: `two-marks`, `grey-seal-required`. */
  expectReview: string[];
  customerSignature: boolean;
  handlerSignature: boolean;
  seal: boolean;
  /** The seal shows red: true/false on colour images, null where the image lost colour (grey, black-and-white) or there is no seal. */
  sealRed: boolean | null;
  /** The seal's ink before scanning: `red`, `black` (a photocopied seal), or null. */
  sealInk: 'red' | 'black' | null;
  sealOverBorder: boolean;
  customerDate: string | null;
  handlerDate: string | null;
  remarks: boolean;
  /** A deliberately hard page (e.g. a registration mark cut off); `hardReasons` says why. */
  hard: boolean;
  hardReasons: string[];
  /** The filled page before degradation (PNG, relative to the output folder), when asked for. */
  clean: string | null;
  degradation: DegradationTruth;
}

export interface FileTruth {
  truthVersion: number;
  /** The file, relative to the output folder. */
  file: string;
  format: FileFormat;
  /** `single` (one visit's return) or `batch` (several visits with their envelopes and receipts). */
  kind: 'single' | 'batch';
  pageCount: number;
  visitIds: string[];
  pages: PageTruth[];
}

export interface EmailTruth {
  truthVersion: number;
  file: string;
  visitId: string;
  /** How the reply is written: `subject-id`, `gbk`, `html-only`, `attachment`, `body-id`. */
  variant: string;
  /** Whether the visit id appears in the subject. */
  idInSubject: boolean;
  charset: string;
  attachments: string[];
  answers: Record<string, Answer>;
  expectReview: string[];
}

export interface TruthIndex {
  truthVersion: number;
  generator: string;
  seed: number;
  /** The letters folder read (as given). */
  source: string;
  files: {
    file: string;
    truth: string;
    format: FileFormat;
    kind: 'single' | 'batch';
    pageCount: number;
    visitIds: string[];
  }[];
  emails: { file: string; truth: string; visitId: string; variant: string }[];
  /** Per visit, every file that holds one of its pages or replies. */
  visits: { visitId: string; files: string[] }[];
  pageCount: number;
}
