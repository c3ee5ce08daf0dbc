// The package's manual page, eid-bridge(1), made from the packaged command's
// own help: the top-level usage gives the commands and their summaries, each
// command's --help its text. The help is written once, in cli/; the page
// cannot drift from what the installed command prints.
import { run } from './files.mjs';

/** Escapes text for troff: backslashes, a leading control character, and characters beyond ASCII. */
function troff(text) {
  return text
    .replace(/\\/g, '\\e')
    .replace(/^([.'])/gm, '\\&$1')
    .replace(/-/g, '\\-')
    .replace(/[^\p{ASCII}]/gu, (c) => `\\[u${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** The command's help as the installed /usr/bin/eid-bridge prints it (the executable acts by the name it is started under). */
function help(executable, args) {
  return run(executable, [...args, '--help'], { argv0: 'eid-bridge' }).trimEnd();
}

/**
 * The troff source of eid-bridge(1).
 * executable: the packaged host executable; description: the package's long
 * description paragraphs; files: [[path, what]]. Each command's help states
 * its exit status, so the page has no section of its own for it.
 */
export function manualPage({ executable, version, date, description, files }) {
  const overview = help(executable, []);
  const commands = [...overview.matchAll(/^ {2}(\S+) {2,}(.+)$/gm)].map(([, name, summary]) => ({ name, summary }));
  if (commands.length === 0) throw new Error(`no commands found in the usage of ${executable}:\n${overview}`);
  const notes = overview
    .slice(overview.lastIndexOf(commands.at(-1).summary) + commands.at(-1).summary.length)
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

  const shown = new Map(); // help text → the command whose section shows it
  const sections = commands.flatMap(({ name, summary }) => {
    const text = help(executable, [name]);
    const same = shown.get(text);
    if (!same) shown.set(text, name);
    return ['.SS ' + troff(name), `${troff(summary)}.`, '.PP', ...(same ? [`Options as for \\fB${troff(same)}\\fR above.`] : ['.nf', troff(text), '.fi'])];
  });

  return [
    `.TH EID\\-BRIDGE 1 "${date}" "eid-bridge ${troff(version)}" "User Commands"`,
    '.SH NAME',
    'eid\\-bridge \\- Belgian eID card on the command line, and the native host of the eID Bridge browser extension',
    '.SH SYNOPSIS',
    '.B eid\\-bridge',
    '.I command',
    '[\\fIoptions\\fR]',
    '.br',
    '.B eid\\-bridge',
    '.RB [ \\-\\-help | \\-\\-version ]',
    '.SH DESCRIPTION',
    ...description.flatMap((paragraph, i) => [...(i ? ['.PP'] : []), troff(paragraph)]),
    ...notes.flatMap((note) => ['.PP', troff(note)]),
    '.SH COMMANDS',
    ...sections,
    '.SH FILES',
    ...files.flatMap(([path, what]) => ['.TP', `.I ${troff(path)}`, troff(what)]),
    '.SH SEE ALSO',
    '.BR pcscd (8)',
    '',
  ].join('\n');
}
