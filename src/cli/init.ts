/**
 * `huifang init [DIR] [--config FILE]`: makes a new workspace (the register, the stored
 * files and the firm's `huifang.json`). Every other command refuses a folder that is not a
 * workspace, so a mistyped --workspace never answers "0 visits".
 */
import { resolve } from 'node:path';
import { DEFAULT_WORKSPACE_CONFIG, WORKSPACE_CONFIG_FILE } from '../domain/workspace-config.ts';
import { initWorkspace, readConfigFile, workspacePath } from '../store/workspace.ts';
import { defineCommand, EXIT_OK, filesFolder, report } from './common.ts';

interface InitArgs {
  dir?: string;
  config?: string;
}

export const initCommand = defineCommand<InitArgs>({
  command: 'init [dir]',
  builder: (y) =>
    y
      .positional('dir', {
        type: 'string',
        describe: 'the new workspace folder (default: --workspace, $HUIFANG_WORKSPACE or ./huifang-workspace)',
      })
      .option('config', {
        type: 'string',
        describe: `the firm's settings to start from (a ${WORKSPACE_CONFIG_FILE}: sender block, files folder, policy file)`,
      }),
  run: async ({ args, io }) => {
    const dir = args.dir ? resolve(args.dir) : workspacePath(args.workspace);
    const config = args.config ? readConfigFile(args.config) : { ...DEFAULT_WORKSPACE_CONFIG };
    const files = filesFolder(args.files);
    if (files) config.files = files; // the shared folder, kept in the settings for every later run
    // A register named when the workspace is made is the workspace's register from then on.
    if (args.register) config.register = args.register;
    const ws = initWorkspace(dir, config);
    ws.close();
    const configFile = resolve(dir, WORKSPACE_CONFIG_FILE);
    report(
      io,
      args.json,
      { workspace: dir, config: configFile, files: resolve(dir, config.files), sender: config.sender !== undefined },
      () => [
        `workspace created: ${dir}`,
        `stored files: ${resolve(dir, config.files)}`,
        `settings: ${configFile}`,
        ...(config.sender
          ? []
          : [
              `fill in the "sender" block (your firm's name, return address, hotline) before printing letters; see docs/workspace.md`,
            ]),
      ],
    );
    return EXIT_OK;
  },
});
