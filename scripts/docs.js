// The input and output tables of the guides, generated from action.yml (into docs/github-action.md)
// and task/task.json (into docs/azure-pipelines.md).
//   node scripts/docs.js           rewrite the guides between the markers
//   node scripts/docs.js --check   exit 1 when a guide is stale
//   --root DIR                     work on another checkout (tests)
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = rootFlag >= 0 ? path.resolve(args.splice(rootFlag, 2)[1]) : path.join(__dirname, '..');
const check = args.includes('--check');

/** The inputs/outputs sections of action.yml: two-space names, four-space scalar properties. */
function readActionYml(text) {
  const sections = { inputs: [], outputs: [] };
  let section;
  let entry;
  for (const line of text.split('\n')) {
    const top = /^([a-z-]+):/.exec(line);
    if (top) {
      section = sections[top[1]];
      entry = undefined;
      continue;
    }
    if (!section) continue;
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line);
    if (name) {
      entry = { name: name[1] };
      section.push(entry);
      continue;
    }
    const property = /^ {4}([a-z-]+):\s*(.*)$/.exec(line);
    if (property && entry) entry[property[1]] = unquote(property[2]);
  }
  return sections;
}

function unquote(value) {
  const trimmed = value.trim();
  if (trimmed.startsWith("'") && trimmed.endsWith("'")) return trimmed.slice(1, -1).replace(/''/g, "'");
  if (trimmed.startsWith('"') && trimmed.endsWith('"')) return JSON.parse(trimmed);
  return trimmed;
}

const cell = (text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
const code = (text) => (text === undefined || text === '' ? '' : `\`${text}\``);

function actionTables(action) {
  const inputs = action.inputs.map(
    (input) => `| \`${input.name}\` | ${input.required === 'true' ? '(required)' : code(input.default)} | ${cell(input.description)} |`
  );
  const outputs = action.outputs.map((output) => `| \`${output.name}\` | ${cell(output.description)} |`);
  return [
    '#### Inputs',
    '',
    '| input | default | meaning |',
    '|---|---|---|',
    ...inputs,
    '',
    '#### Outputs',
    '',
    '| output | meaning |',
    '|---|---|',
    ...outputs
  ].join('\n');
}

function taskTables(task) {
  const inputs = task.inputs.map((input) => {
    const options = input.options
      ? ` (${Object.keys(input.options)
          .map((key) => `\`${key}\``)
          .join(', ')})`
      : '';
    const byDefault = input.required ? '(required)' : code(input.defaultValue);
    return `| \`${input.name}\` | ${cell(input.type)}${options} | ${byDefault} | ${cell(input.helpMarkDown || input.label)} |`;
  });
  const outputs = (task.outputVariables || []).map((output) => `| \`${output.name}\` | ${cell(output.description)} |`);
  return [
    '#### Task inputs',
    '',
    '| input | type | default | meaning |',
    '|---|---|---|---|',
    ...inputs,
    '',
    '#### Output variables',
    '',
    '| variable | meaning |',
    '|---|---|',
    ...outputs
  ].join('\n');
}

function replaceBetween(text, file, marker, body) {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} lacks the markers ${start} ... ${end}`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

const guides = [
  {
    file: 'docs/github-action.md',
    marker: 'action-inputs',
    tables: () => actionTables(readActionYml(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')))
  },
  {
    file: 'docs/azure-pipelines.md',
    marker: 'task-inputs',
    tables: () => taskTables(JSON.parse(fs.readFileSync(path.join(root, 'task', 'task.json'), 'utf8')))
  }
];

const stale = [];
for (const guide of guides) {
  const guidePath = path.join(root, guide.file);
  const text = fs.readFileSync(guidePath, 'utf8');
  const generated = replaceBetween(text, guide.file, guide.marker, guide.tables());
  if (generated === text) continue;
  stale.push(guide.file);
  if (!check) fs.writeFileSync(guidePath, generated);
}

if (check) {
  if (stale.length > 0) {
    console.error(`${stale.join(', ')}: input/output tables are stale: run npm run docs`);
    process.exit(1);
  }
  console.log('docs/github-action.md and docs/azure-pipelines.md input/output tables match action.yml and task/task.json');
} else if (stale.length > 0) {
  console.log(`${stale.join(', ')}: tables regenerated`);
}
