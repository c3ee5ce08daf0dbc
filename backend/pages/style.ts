/** The one stylesheet, served from /assets/style.css (no remote fonts or images). */
export const STYLE_CSS = `
:root { --red: #c8102e; --ink: #1d1d1b; --muted: #5b5b5b; --line: #d8d8d8; --bg: #f4f4f4; --ok: #2e7d32; --focus: #1a5fb4; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header.top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; padding: .75rem 1.5rem; background: #fff; border-bottom: 4px solid var(--red); }
.brand { display: flex; align-items: baseline; gap: .5rem; font-weight: 700; }
.logo { background: var(--red); color: #fff; padding: .1rem .4rem; border-radius: 3px; }
.subtitle { font-weight: 400; color: var(--muted); }
.languages a, .languages strong { padding: 0 .25rem; text-transform: lowercase; }
main { max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
h1, h2 { margin: .5rem 0 1rem; }
h3 { margin: 1.5rem 0 .5rem; font-size: 1.05rem; }
section.card, .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1.25rem 1.5rem; margin-bottom: 1.25rem; }
.keys { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .75rem; }
button, .button { font: inherit; cursor: pointer; border: 2px solid var(--red); background: #fff; color: var(--ink); border-radius: 4px; padding: .75rem 1rem; text-align: left; text-decoration: none; display: inline-block; }
button.key, a.key { display: flex; flex-direction: column; gap: .25rem; min-height: 5rem; font-weight: 600; }
button.primary, .button.primary { background: var(--red); color: #fff; text-align: center; }
button:disabled { border-color: var(--line); color: var(--muted); cursor: not-allowed; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.key-with-link { display: flex; flex-direction: column; gap: .35rem; }
.level { font-weight: 400; font-size: .85rem; color: var(--muted); }
.too-weak { font-weight: 400; font-size: .85rem; color: var(--red); }
label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
input[type=text], input[type=password], input[type=email], input[type=tel] { font: inherit; width: 100%; max-width: 24rem; padding: .5rem; border: 1px solid #888; border-radius: 4px; }
.hint { color: var(--muted); font-size: .9rem; }
.status { min-height: 1.5rem; margin: .75rem 0; }
.status.error { color: var(--red); font-weight: 600; }
.status.ok { color: var(--ok); font-weight: 600; }
.notice { border-left: 4px solid var(--red); background: #fff5f5; padding: .5rem 1rem; }
.actions { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; margin-top: 1rem; }
.steps { display: flex; gap: 1rem; list-style: none; padding: 0; margin: 0 0 1rem; flex-wrap: wrap; }
.steps li { color: var(--muted); }
.steps li.current { color: var(--ink); font-weight: 700; }
.steps li.done::after { content: " ✓"; color: var(--ok); }
dl.person { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.person dt { font-weight: 600; }
table.outbox { width: 100%; border-collapse: collapse; background: #fff; }
table.outbox td, table.outbox th { border: 1px solid var(--line); padding: .4rem; vertical-align: top; text-align: left; }
table.outbox pre { white-space: pre-wrap; margin: 0; font: inherit; }
img.qr { image-rendering: pixelated; border: 1px solid var(--line); }
.document-preview { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
img.first-page { width: 200px; max-height: 283px; object-fit: contain; border: 1px solid var(--line); background: #fff; }
ol.signatures { list-style: none; padding: 0; }
ol.signatures > li { border-left: 4px solid var(--ok); padding-left: .75rem; margin: 1rem 0; }
ol.signatures > li[data-holds="false"] { border-left-color: var(--red); }
ol.signatures h3 { margin: 0 0 .5rem; font-size: 1rem; }
ul.problems { color: var(--red); }
[hidden] { display: none !important; }
`;
