/**
 * A PATH on which every command of this one is found except node: what a
 * packaged host that needs no system Node must run with. Node may live in
 * /usr/bin beside the shell tools a browser's start script needs, so the
 * folder is a farm of links to every other command rather than a shorter PATH.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const NODE_COMMANDS = new Set(['node', 'nodejs']);

/** Fills `dir` with links to every command on PATH but node, and returns it as the PATH to use. */
export function pathWithoutNode(dir: string, path = process.env.PATH ?? ''): string {
  mkdirSync(dir, { recursive: true });
  const linked = new Set(NODE_COMMANDS);
  for (const folder of path.split(delimiter).filter((f) => f && existsSync(f))) {
    for (const name of readdirSync(folder)) {
      // The first folder on PATH with a command wins, as for the shell.
      if (linked.has(name)) continue;
      symlinkSync(join(folder, name), join(dir, name));
      linked.add(name);
    }
  }
  return dir;
}
