#!/usr/bin/env node
// `make scorm`: the built site as two single-SCO packages, build/knobs-scorm12.zip (SCORM 1.2) and
// build/knobs-scorm2004.zip (SCORM 2004 4th edition). docs/embedding.md, "Moodle / Canvas / Open edX".
//
//   node scorm/package.mjs --site build/web/site --out build [--link '#v=2&panel=quiz&mastery=80'] [--title T]
//
// Each zip holds imsmanifest.xml at its root, the whole site, the launch page scorm.html (index.html
// with the adapter loaded before the glue), the adapter knobs-scorm.js and knobs-scorm-config.js, which
// carries the link (what the package shows, hides and locks) and the mastery score. `mastery=N` (0-100)
// is read here and is not part of the app's link: it goes into the manifest, where the platform reads it
// (and shows it to the teacher), and into the config as the fallback when the platform gives none.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zip } from './zip.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_LINK = '#v=2&panel=quiz';
const DEFAULT_TITLE = 'Knobs: how a language model learns';
// The app refuses a longer fragment whole (docs/embedding.md, "Bad input").
const MAX_LINK = 2048;

export class PackageError extends Error {}

// '#v=2&panel=quiz&mastery=80' -> {link: '#v=2&panel=quiz', mastery: 80}
export function splitLink(text) {
  const raw = String(text ?? '').trim().replace(/^#/, '');
  const pairs = raw === '' ? [] : raw.split('&');
  let mastery = null;
  const kept = [];
  for (const pair of pairs) {
    const [key, value = ''] = pair.split('=');
    if (key !== 'mastery') {
      if (pair !== '') kept.push(pair);
      continue;
    }
    if (mastery !== null) throw new PackageError('mastery= is given twice in the link');
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(value) || Number(value) > 100) {
      throw new PackageError(`mastery=${value}: the mastery score is a number from 0 to 100, such as 80`);
    }
    mastery = Number(value);
  }
  if (kept.length === 0) return { link: DEFAULT_LINK, mastery };
  if (!/^v=\d+$/.test(kept[0])) throw new PackageError(`the link must start with v=2 (#v=2&panel=quiz...), got "${kept[0]}"`);
  const link = '#' + kept.join('&');
  if (link.length > MAX_LINK) throw new PackageError(`the link is ${link.length} characters; Knobs reads at most ${MAX_LINK}`);
  if (/[\s"'<>\\]/.test(link)) throw new PackageError('the link has spaces, quotes or angle brackets: percent-encode them (%20, %22, ...)');
  return { link, mastery };
}

const xml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function listFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = prefix + name;
    if (statSync(full).isDirectory()) out.push(...listFiles(full, rel + '/'));
    else out.push(rel);
  }
  return out;
}

export function launchPage(indexHtml) {
  // The built page asks for the glue by its build's address (knobs-glue.js?v=<build id>, cmake/copy_web.cmake).
  const found = indexHtml.match(/<script src="knobs-glue\.js(\?v=[0-9a-f]+)?" defer><\/script>/);
  if (!found) throw new PackageError('index.html does not load knobs-glue.js as expected; cannot make scorm.html');
  const glue = found[0];
  // Deferred scripts run in order: the adapter has found the platform and set KNOBS_CONFIG before the glue reads it.
  return indexHtml.replace(glue,
    '<script src="knobs-scorm-config.js" defer></script>\n  <script src="knobs-scorm.js" defer></script>\n  ' + glue);
}

// The one organization, its one item, and the one SCO listing every file: the same in both versions but for
// what the item carries (`itemExtra`) and the spelling of the SCO-type attribute (1.2: scormtype, 2004: scormType).
function organizationAndSco({ title, files, itemExtra, scormTypeAttribute }) {
  return `  <organizations default="knobs-org">
    <organization identifier="knobs-org">
      <title>${xml(title)}</title>
      <item identifier="knobs-item" identifierref="knobs-sco" isvisible="true">
        <title>${xml(title)}</title>${itemExtra}
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="knobs-sco" type="webcontent" ${scormTypeAttribute}="sco" href="scorm.html">
${files.map((f) => `      <file href="${xml(f)}"/>`).join('\n')}
    </resource>
  </resources>`;
}

function manifest12({ id, title, mastery, files }) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${id}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
${organizationAndSco({ title, files, itemExtra: mastery === null ? '' : `
        <adlcp:masteryscore>${mastery}</adlcp:masteryscore>`, scormTypeAttribute: 'adlcp:scormtype' })}
</manifest>
`;
}

function manifest2004({ id, title, mastery, files }) {
  // The mastery score becomes the primary objective's passing measure; the platform hands it to the
  // SCO as cmi.scaled_passing_score.
  const sequencing = mastery === null ? '' : `
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="knobs-quiz" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>${mastery / 100}</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${id}" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
${organizationAndSco({ title, files, itemExtra: sequencing, scormTypeAttribute: 'adlcp:scormType' })}
</manifest>
`;
}

// Returns {[version]: Buffer} for '1.2' and '2004'.
export function buildPackages({ site, link: linkText, title = DEFAULT_TITLE }) {
  const { link, mastery } = splitLink(linkText);
  const siteFiles = listFiles(site).filter((f) => !['scorm.html', 'knobs-scorm.js', 'knobs-scorm-config.js', 'imsmanifest.xml'].includes(f));
  if (!siteFiles.includes('index.html') || !siteFiles.includes('knobs.wasm')) throw new PackageError(`${site} is not a built site (no index.html or knobs.wasm): run make web`);
  const out = {};
  for (const version of ['1.2', '2004']) {
    const generated = new Map([
      ['scorm.html', Buffer.from(launchPage(readFileSync(path.join(site, 'index.html'), 'utf8')))],
      ['knobs-scorm.js', readFileSync(path.join(HERE, 'knobs-scorm.js'))],
      ['knobs-scorm-config.js', Buffer.from(`// Written by make scorm (scorm/package.mjs): what this package shows, and its mastery score.
window.KNOBS_SCORM = ${JSON.stringify({ version, link, mastery })};
`)],
    ]);
    const files = [...generated.keys(), ...siteFiles];
    const id = 'knobs-' + createHash('sha256').update(JSON.stringify({ version, link, mastery, title })).digest('hex').slice(0, 16);
    const manifest = (version === '1.2' ? manifest12 : manifest2004)({ id, title, mastery, files });
    out[version] = zip([
      { name: 'imsmanifest.xml', data: Buffer.from(manifest) },
      ...files.map((name) => ({ name, data: generated.get(name) || readFileSync(path.join(site, name)) })),
    ]);
  }
  return { link, mastery, packages: out };
}

export const PACKAGE_NAMES = { '1.2': 'knobs-scorm12.zip', '2004': 'knobs-scorm2004.zip' };

function main(argv) {
  const args = { site: 'build/web/site', out: 'build', link: '', title: DEFAULT_TITLE };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || i + 1 >= argv.length) {
      console.error(`usage: node scorm/package.mjs [--site DIR] [--out DIR] [--link '#v=2&panel=quiz&mastery=80'] [--title TEXT]`);
      return 2;
    }
    args[key] = argv[++i];
  }
  try {
    const { link, mastery, packages } = buildPackages(args);
    mkdirSync(args.out, { recursive: true });
    for (const [version, bytes] of Object.entries(packages)) {
      const file = path.join(args.out, PACKAGE_NAMES[version]);
      writeFileSync(file, bytes);
      console.log(`${file}: SCORM ${version}, ${bytes.length} bytes`);
    }
    console.log(`link ${link}, mastery score ${mastery === null ? 'none (the quiz reports "completed")' : mastery}`);
    return 0;
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    console.error(`make scorm: ${error.message}`);
    return 2;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
