// The packaged package.json: the extension's own, plus one `qwenSettings.rules.<code>` property
// per rule of the README's rule table (so the settings editor completes rule codes and shows
// what each rule does). Generated when packaging, so it never lags behind the server's rules.
//
//   node scripts/manifest.js <README.md> <package.json> <out.json>

'use strict';

const fs = require('fs');

const LEVELS = ['off', 'error', 'warning', 'information', 'hint'];

/** The rows of the README rule table (between `<!-- rules:start -->` and `<!-- rules:end -->`). */
function readmeRules(readme) {
  const start = readme.indexOf('<!-- rules:start -->');
  const end = readme.indexOf('<!-- rules:end -->');
  if (start < 0 || end < start) {
    throw new Error('README.md has no <!-- rules:start --> … <!-- rules:end --> table');
  }
  const rules = [];
  for (const line of readme.slice(start, end).split('\n')) {
    const m = /^\|\s*`([a-z0-9-]+)`\s*\|([^|]*)\|([^|]*)\|/.exec(line);
    if (m) {
      rules.push({ code: m[1], severity: m[2].trim(), what: m[3].trim() });
    }
  }
  if (rules.length === 0) {
    throw new Error('README.md rule table has no rows');
  }
  return rules;
}

/** A copy of `pkg` with a property per rule under `qwenSettings.rules`. */
function withRuleProperties(pkg, rules) {
  const out = JSON.parse(JSON.stringify(pkg));
  const setting = out.contributes.configuration.properties['qwenSettings.rules'];
  setting.properties = {};
  for (const r of rules) {
    setting.properties[r.code] = {
      type: 'string',
      enum: LEVELS,
      markdownDescription: `Default: ${r.severity}. ${r.what}`,
    };
  }
  return out;
}

if (require.main === module) {
  const [readmePath, pkgPath, outPath] = process.argv.slice(2);
  if (!outPath) {
    console.error('usage: node scripts/manifest.js <README.md> <package.json> <out.json>');
    process.exit(2);
  }
  const rules = readmeRules(fs.readFileSync(readmePath, 'utf8'));
  const pkg = withRuleProperties(JSON.parse(fs.readFileSync(pkgPath, 'utf8')), rules);
  delete pkg.scripts['vscode:prepublish']; // the staged copy is bundled already
  fs.writeFileSync(outPath, JSON.stringify(pkg, null, 2) + '\n');
  console.error(`manifest: ${rules.length} rule codes from ${readmePath}`);
}

module.exports = { LEVELS, readmeRules, withRuleProperties };
