// The links and anchors of a markdown file, as GitHub renders them: read by the link check
// (scripts/doc-links.js) and by the packaging of the extension's overview page (scripts/package.js).

/** The text with code (fenced blocks, inline spans) blanked out, offsets and line breaks kept. */
function withoutCode(markdown) {
  const lines = markdown.split('\n');
  let fence;
  const kept = lines.map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (marker && marker[1][0] === fence[0] && marker[1].length >= fence.length && line.trim() === marker[1]) fence = undefined;
      return ' '.repeat(line.length);
    }
    if (marker) {
      fence = marker[1];
      return ' '.repeat(line.length);
    }
    return line;
  });
  return kept.join('\n').replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (span) => span.replace(/[^\n]/g, ' '));
}

const INLINE_LINK = /(!?)\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:[ \t]*(<[^>\n]*>|\S+)/gm;
const HTML_ATTRIBUTE = /<(a|img)\s[^>]*?\b(href|src)\s*=\s*"([^"]*)"/gi;

/**
 * Every link and image outside code: `{ target, image, line, start, end }`, where `start`/`end` are
 * the offsets of the target in the text (without angle brackets).
 */
function linksOf(markdown) {
  const text = withoutCode(markdown);
  const links = [];
  const add = (target, image, start) => {
    let from = start;
    let value = target;
    if (value.startsWith('<') && value.endsWith('>')) {
      value = value.slice(1, -1);
      from += 1;
    }
    links.push({ target: value, image, line: text.slice(0, from).split('\n').length, start: from, end: from + value.length });
  };
  for (const match of text.matchAll(INLINE_LINK)) add(match[2], match[1] === '!', match.index + match[0].lastIndexOf(match[2]));
  for (const match of text.matchAll(REFERENCE_DEFINITION)) add(match[1], false, match.index + match[0].lastIndexOf(match[1]));
  for (const match of text.matchAll(HTML_ATTRIBUTE)) {
    add(match[3], match[1].toLowerCase() === 'img', match.index + match[0].lastIndexOf(match[3]));
  }
  return links.sort((a, b) => a.start - b.start);
}

/** The anchors GitHub gives a file: one per heading (github-slugger, with -1, -2 for repeats) and every explicit id or name. */
function anchorsOf(markdown) {
  const text = withoutCode(markdown);
  const anchors = new Set();
  const seen = new Map();
  for (const match of text.matchAll(/^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/gm)) {
    const base = slug(headingText(markdown.slice(match.index, match.index + match[0].length)));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const match of text.matchAll(/<[a-z]+\s[^>]*?\b(?:id|name)\s*=\s*"([^"]+)"/gi)) anchors.add(match[1]);
  return anchors;
}

/** A heading line's text as rendered: no markers, code spans as their text, links as their text, no emphasis or tags. */
function headingText(line) {
  return line
    .replace(/^ {0,3}#{1,6}[ \t]+/, '')
    .replace(/(?:[ \t]+#+)?[ \t]*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/(`+)(.*?)\1/g, '$2')
    .replace(/\*+/g, '')
    .replace(/(^|\W)_+(.+?)_+(?=\W|$)/g, '$1$2');
}

function slug(text) {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** A link target that leaves the repository: a URL with a scheme, or protocol-relative. */
function isExternal(target) {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

module.exports = { linksOf, anchorsOf, isExternal };
