// The README's input and output tables, generated from action.yml and task/task.json.
//   node scripts/docs.js           rewrite the README between the markers
//   node scripts/docs.js --check   exit 1 when the README is stale
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

function replaceBetween(text, marker, body) {
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${start} ... ${end}`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

const readmePath = path.join(root, 'README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
let generated = replaceBetween(
  readme,
  'action-inputs',
  actionTables(readActionYml(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')))
);
generated = replaceBetween(generated, 'task-inputs', taskTables(JSON.parse(fs.readFileSync(path.join(root, 'task', 'task.json'), 'utf8'))));

if (check) {
  if (generated !== readme) {
    console.error('README.md input/output tables are stale: run npm run docs');
    process.exit(1);
  }
  console.log('README.md input/output tables match action.yml and task/task.json');
} else if (generated !== readme) {
  fs.writeFileSync(readmePath, generated);
  console.log('README.md tables regenerated');
}
