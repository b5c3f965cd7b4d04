/**
 * The sub-commands of `huifang`, one module each. Add a command by adding its module here.
 */
import type { CommandModule } from './common.ts';

export const COMMANDS: CommandModule<any>[] = [];
