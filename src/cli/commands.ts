/**
 * The sub-commands of `huifang`, one module each. Add a command by adding its module here.
 */
import type { CommandModule } from './common.ts';
import { demoCommand } from './demo.ts';
import { formsCommand, lettersCommand } from './letters.ts';
import { ingestCommand } from './ingest.ts';
import { pagesCommand } from './pages.ts';
import { quarantineCommand } from './quarantine.ts';
import { reviewCommand } from './review.ts';
import { attachCommand } from './attach.ts';
import { answersCommand } from './answers.ts';
import { staffCommand } from './staff.ts';
import { validateCommand } from './validate.ts';
import { archiveCommand } from './archive.ts';
import { keysCommand } from './keys.ts';
import { verifyCommand } from './verify.ts';
import { reportCommand } from './report.ts';
import { simulateCommand } from './simulate.ts';

export const COMMANDS: CommandModule<any>[] = [lettersCommand, formsCommand, ingestCommand, reviewCommand, quarantineCommand, pagesCommand, attachCommand, answersCommand, validateCommand, staffCommand, archiveCommand, verifyCommand, keysCommand, reportCommand, simulateCommand, demoCommand];
