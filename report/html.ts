/**
 * Self-contained HTML pieces: escaping, number formatting, tables, figures with their SVG inlined
 * (or a PNG as a data: URL) and the page shell with its stylesheet. No external resources, so a
 * page opens from disk or an e-mail attachment as it is.
 */
import type { RenderedFigure } from './figures.js';

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Fixed digits; '–' for a missing or non-finite number. */
export function fmt(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

/** Six significant digits; '–' for a missing or non-finite number. */
export function sig(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : String(Number(x.toPrecision(6)));
}

/** The SVG markup without an XML prolog, ready to inline. */
export function inlineSvg(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}

/** A table of text cells (escaped here); `caption` is trusted HTML. */
export function htmlTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  caption = '',
): string {
  return `<table>
${caption ? `<caption>${caption}</caption>\n` : ''}<tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>
${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n')}
</table>`;
}

/** Key-value rows (keys as header cells). */
export function definitionTable(rows: readonly (readonly [string, string])[]): string {
  return `<table>
${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}
</table>`;
}

/**
 * A figure with heading and caption. `embed: 'svg'` inlines the vector markup (scales, text
 * stays selectable); 'png' embeds the raster as a base64 data: URL. `links` are sibling files.
 */
export function figureHtml(
  f: RenderedFigure,
  opts: { embed?: 'svg' | 'png'; links?: readonly string[] } = {},
): string {
  const picture =
    opts.embed === 'png'
      ? `<img alt="${esc(f.title)}" src="data:image/png;base64,${f.png.toString('base64')}">`
      : inlineSvg(f.svg);
  const links = opts.links?.length
    ? ` (${opts.links.map((l) => `<a href="${esc(l)}">${esc(l.slice(l.lastIndexOf('.') + 1).toUpperCase())}</a>`).join(', ')})`
    : '';
  return `<figure id="${esc(f.name)}">
<h2>${esc(f.title)}</h2>
${picture}
<figcaption>${esc(f.caption)}${links}</figcaption>
</figure>`;
}

const STYLE = `  body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
  h1 { font-size: 1.6em; margin-bottom: 0.2em; }
  .meta { color: #666; font-size: 0.9em; }
  .headline { font-size: 1.08em; background: #f3f7fb; border-left: 4px solid #1f77b4; padding: 0.7em 1em; }
  .notice { background: #fff6e0; border-left: 4px solid #e0a000; padding: 0.7em 1em; }
  table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.93em; }
  caption { text-align: left; color: #555; padding-bottom: 0.3em; }
  td, th { border-bottom: 1px solid #ddd; padding: 0.25em 0.9em 0.25em 0; text-align: left; vertical-align: top; }
  figure { margin: 1.6em 0; }
  figure svg, figure img { max-width: 100%; height: auto; }
  figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
  code { font-size: 0.92em; }`;

/** A complete page: `title` is text, `body` is trusted HTML. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
