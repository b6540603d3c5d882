// The ready-made unattended push: the reusable workflow (.github/workflows/acr-build-push.yml) and the
// Azure Pipelines steps template (azure-pipelines/acr-build-push.yml), checked by the publishers' validators and
// against action.yml and task/task.json. The real build and push is in unattended-push.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  actionMetadataFor,
  actionValidatorErrors,
  parseWorkflow,
  schemaStoreErrors,
  workflowProblems,
  type Workflow
} from '../test/support/github-workflow';
import { parseTemplate, pipelineDiagnostics, readTaskJson, templateProblems } from '../test/support/azure-pipelines-yaml';
import { runGitHubStep, type GitHubContexts } from '../test/support/step-scripts';

const ROOT = join(__dirname, '..');
const WORKFLOW_PATH = join(ROOT, '.github', 'workflows', 'acr-build-push.yml');
const TEMPLATE_PATH = join(ROOT, 'azure-pipelines', 'acr-build-push.yml');
const workflowText = readFileSync(WORKFLOW_PATH, 'utf8');
const templateText = readFileSync(TEMPLATE_PATH, 'utf8');
/** The output variables the template's header and docs/unattended-push.md promise. */
const TEMPLATE_OUTPUTS = ['imageReference', 'digest', 'references'];

function edited(text: string, from: string, to: string): string {
  expect(text).toContain(from); // a broken copy that breaks nothing would pass for the wrong reason
  return text.replace(from, to);
}

function mutateWorkflow(change: (w: Workflow) => void): Workflow {
  const workflow = parseWorkflow(workflowText);
  change(workflow);
  return workflow;
}

const job = (w: Workflow) => w.jobs['build-push']!;
const step = (w: Workflow, id: string) => job(w).steps.find((s) => s.id === id)!;

describe('the reusable workflow', () => {
  it("passes SchemaStore's github-workflow.json and @action-validator/core, as every workflow here does", () => {
    for (const file of readdirSync(join(ROOT, '.github', 'workflows'))) {
      const text = readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8');
      expect({ file, schemaStore: schemaStoreErrors(text), actionValidator: actionValidatorErrors(text) }).toEqual({
        file,
        schemaStore: [],
        actionValidator: []
      });
    }
  });

  it('a copy with an unknown key fails both validators', () => {
    const unknownJobKey = edited(workflowText, '    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    timeout: 10\n');
    expect(schemaStoreErrors(unknownJobKey).join('\n')).toMatch(/timeout/);
    expect(actionValidatorErrors(unknownJobKey).join('\n')).toMatch(/timeout/);
    const unknownStepKey = edited(workflowText, '        id: login\n', '        id: login\n        inputs: {}\n');
    expect(schemaStoreErrors(unknownStepKey).join('\n')).toMatch(/inputs/);
    expect(actionValidatorErrors(unknownStepKey).join('\n')).toMatch(/inputs/);
    const unknownInputType = edited(workflowText, '        type: string\n', '        type: text\n');
    expect(schemaStoreErrors(unknownInputType)).not.toEqual([]);
  });

  it('is only workflow_call, with the inputs, optional secrets and outputs the issue asks for, and least privilege', () => {
    const workflow = parseWorkflow(workflowText);
    expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
    const call = workflow.on.workflow_call!;
    expect(Object.keys(call.inputs ?? {}).sort()).toEqual(
      [
        'build-args',
        'client-id',
        'context',
        'environment',
        'file',
        'platforms',
        'registry',
        'repository',
        'tags',
        'target',
        'tenant-id'
      ].sort()
    );
    expect(
      Object.entries(call.inputs ?? {})
        .filter(([, i]) => i.required)
        .map(([name]) => name)
    ).toEqual(['registry', 'repository']);
    expect(call.secrets).toEqual({
      'client-secret': expect.objectContaining({ required: false }),
      'client-certificate': expect.objectContaining({ required: false })
    });
    expect(Object.keys(call.outputs ?? {})).toEqual(expect.arrayContaining(['image', 'digest']));
    expect(workflow.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    for (const j of Object.values(workflow.jobs)) expect(j.permissions).toBeUndefined();
    // the secrets reach this action's inputs of the same name, nowhere else
    expect(step(workflow, 'login').with).toMatchObject({
      'client-secret': '${{ secrets.client-secret }}',
      'client-certificate': '${{ secrets.client-certificate }}'
    });
    const usesOfSecrets = job(workflow)
      .steps.filter((s) => JSON.stringify(s).includes('secrets.'))
      .map((s) => s.id);
    expect(usesOfSecrets).toEqual(['login']);
  });

  it('passes this action only inputs action.yml has, pins every action, takes this action from its own commit, and sets every output it reads', () => {
    expect(workflowProblems(parseWorkflow(workflowText))).toEqual([]);
    const ours = job(parseWorkflow(workflowText)).steps.filter((s) => s.uses?.startsWith('./'));
    expect(ours.map((s) => s.id)).toEqual(['login']);
    expect(Object.keys(actionMetadataFor('./')!.inputs)).toEqual(expect.arrayContaining(Object.keys(ours[0]!.with ?? {})));
  });

  it('finds what no schema can: a wrong input, an action from another commit or unpinned, an output nobody sets', () => {
    const cases: Array<[(w: Workflow) => void, RegExp]> = [
      [(w) => (step(w, 'login').with!['client_id'] = 'x'), /'client_id' is not an input of \.\/\.acr-login/],
      [(w) => (step(w, 'build').with!['dockerfile'] = 'Dockerfile'), /'dockerfile' is not an input of docker\/build-push-action/],
      [(w) => delete step(w, 'login').with!['registry'], /required input 'registry' of \.\/\.acr-login is missing/],
      [(w) => (job(w).steps.find((s) => s.with?.path === '.acr-login')!.with!.ref = 'main'), /not this workflow's own commit/],
      [(w) => (step(w, 'self').env!['WORKFLOW_SHA'] = '${{ github.sha }}'), /not this workflow's own commit/],
      [(w) => (step(w, 'build').uses = 'docker/build-push-action@v7'), /not pinned to a full commit SHA/],
      [(w) => (job(w).outputs!['digest'] = '${{ steps.build.outputs.sha }}'), /step 'build' sets no output 'sha'/],
      [(w) => (job(w).outputs!['image'] = '${{ steps.report.outputs.reference }}'), /step 'report' sets no output 'reference'/],
      [(w) => (w.on.workflow_call!.outputs!['digest']!.value = '${{ jobs.build-push.outputs.sha }}'), /sets no output 'sha'/],
      [(w) => (step(w, 'login').with!['tenant-id'] = '${{ inputs.tenant }}'), /inputs\.tenant is not declared/],
      [(w) => (step(w, 'login').with!['client-secret'] = '${{ secrets.password }}'), /secrets\.password is not declared/]
    ];
    for (const [change, problem] of cases) {
      const broken = mutateWorkflow(change);
      expect(schemaStoreErrors(stringify(broken))).toEqual([]); // only the consistency check can see these
      expect(workflowProblems(broken).join('\n')).toMatch(problem);
    }
  });

  describe('its shell steps, run as the runner runs them', () => {
    const workflow = parseWorkflow(workflowText);
    const jobEnv = { PATH: '/usr/bin:/bin', GITHUB_SHA: 'f'.repeat(40) };
    const names = (inputs: Record<string, string>, loginServers: string) =>
      runGitHubStep(
        step(workflow, 'names'),
        { inputs: { context: '.', file: '', ...inputs }, steps: { login: { outputs: { 'login-server': loginServers } } } },
        jobEnv,
        tmpdir()
      );

    it('names the image: the commit SHA by default, every tag on every registry', async () => {
      const byDefault = await names({ repository: 'team/app', tags: '' }, 'myreg.azurecr.io');
      expect(byDefault.exitCode).toBe(0);
      expect(byDefault.outputs).toEqual({
        references: `myreg.azurecr.io/team/app:${'f'.repeat(40)}`,
        name: 'myreg.azurecr.io/team/app',
        context: 'source/.',
        file: ''
      });
      const several = await names(
        { repository: 'app', tags: 'v1, latest\n1.0.0', context: 'svc', file: 'svc/Dockerfile.prod' },
        'a.azurecr.io\nb.azurecr.cn'
      );
      expect(several.outputs.references?.split('\n')).toEqual([
        'a.azurecr.io/app:v1',
        'a.azurecr.io/app:latest',
        'a.azurecr.io/app:1.0.0',
        'b.azurecr.cn/app:v1',
        'b.azurecr.cn/app:latest',
        'b.azurecr.cn/app:1.0.0'
      ]);
      expect(several.outputs).toMatchObject({ name: 'a.azurecr.io/app', context: 'source/svc', file: 'source/svc/Dockerfile.prod' });
    });

    it('refuses a bad tag, an upper-case repository and a path out of the repository, each with one error line', async () => {
      const refusals: Array<[Record<string, string>, RegExp]> = [
        [{ repository: 'app', tags: 'v1,-bad' }, /tag '-bad' is not a valid image tag/],
        [{ repository: 'Team/App', tags: '' }, /repository 'Team\/App' is not a valid image repository/],
        [{ repository: 'app', tags: '', context: '../other' }, /'..\/other' leaves the calling repository/],
        [{ repository: 'app', tags: '', file: '/etc/Dockerfile' }, /must be relative/]
      ];
      for (const [inputs, error] of refusals) {
        const result = await names(inputs, 'myreg.azurecr.io');
        expect({ exit: result.exitCode, errors: result.errors, outputs: result.outputs }).toEqual({
          exit: 1,
          errors: [expect.stringMatching(error)],
          outputs: {}
        });
      }
    });

    it('reports the image by digest in its output and the job summary, and refuses a missing digest', async () => {
      const digest = `sha256:${'a'.repeat(64)}`;
      const contexts: GitHubContexts = {
        steps: {
          names: { outputs: { name: 'myreg.azurecr.io/app', references: 'myreg.azurecr.io/app:v1\nmyreg.azurecr.io/app:latest' } },
          build: { outputs: { digest } }
        }
      };
      const report = await runGitHubStep(step(workflow, 'report'), contexts, jobEnv, tmpdir());
      expect(report.outputs).toEqual({ image: `myreg.azurecr.io/app@${digest}` });
      expect(report.summary).toContain(`| Image | \`myreg.azurecr.io/app@${digest}\` |`);
      expect(report.summary).toContain('| Tag | `myreg.azurecr.io/app:latest` |');
      const noDigest = await runGitHubStep(
        step(workflow, 'report'),
        { ...contexts, steps: { ...contexts.steps, build: { outputs: {} } } },
        jobEnv,
        tmpdir()
      );
      expect({ exit: noDigest.exitCode, errors: noDigest.errors }).toEqual({
        exit: 1,
        errors: [expect.stringMatching(/did not report the digest/)]
      });
    });

    it('refuses to run when the runner does not say which commit the workflow runs from', async () => {
      const self = (job: Record<string, string>) => runGitHubStep(step(workflow, 'self'), { job }, jobEnv, tmpdir());
      const known = await self({ workflow_repository: 'octo-org/acr-login', workflow_sha: 'c'.repeat(40) });
      expect(known.outputs).toEqual({ repository: 'octo-org/acr-login', sha: 'c'.repeat(40) });
      const unknowns: Array<Record<string, string>> = [
        {},
        { workflow_repository: 'octo-org/acr-login' },
        { workflow_repository: 'octo-org/acr-login', workflow_sha: 'main' }
      ];
      for (const unknown of unknowns) {
        const result = await self(unknown);
        expect({ exit: result.exitCode, errors: result.errors.length, outputs: result.outputs }).toEqual({
          exit: 1,
          errors: 1,
          outputs: {}
        });
      }
    });
  });
});

describe('the Azure Pipelines steps template', () => {
  it("Microsoft's language service, with the pipeline schema and AcrLogin@1 from task.json, finds nothing wrong", async () => {
    expect(await pipelineDiagnostics(templateText)).toEqual([]);
  });

  it('the schema really applies to it: an unknown key, a wrong AcrLogin@1 input, a bad parameter type and a wrong built-in task input each fail', async () => {
    // [what to break, what to put instead, the diagnostic expected on the broken line]
    const broken: Array<[string, string, RegExp]> = [
      ['    displayName: Log in to', '    displayNme: Log in to', /Unexpected property displayNme/],
      ['      registry: ${{ parameters.registry }}', '      registryName: ${{ parameters.registry }}', /Unexpected property registryName/],
      ['    type: object', '    type: list', /does not match/],
      [
        'steps:\n',
        'steps:\n  - task: AzureCLI@2\n    inputs: { connectedService: x, scriptType: bash }\n',
        /Unexpected property connectedService/
      ],
      ['steps:\n', 'stepz:\n', /Unexpected property stepz/]
    ];
    for (const [from, to, diagnostic] of broken) {
      const text = edited(templateText, from, to);
      const line = text.slice(0, text.indexOf(to)).split('\n').length + (to.startsWith('steps:\n') ? 2 : 0);
      const diagnostics = await pipelineDiagnostics(text);
      expect(diagnostics).toContainEqual(expect.stringMatching(new RegExp(`^line ${line}: .*${diagnostic.source}`)));
    }
  });

  it('passes AcrLogin@1 only inputs task.json has, reads only output variables it sets, and sets every output variable it promises', () => {
    const template = parseTemplate(templateText);
    expect(templateProblems(template, TEMPLATE_OUTPUTS)).toEqual([]);
    expect(template.parameters.every((p) => p.type)).toBe(true);
    const login = template.steps.find((s) => s.task?.startsWith('AcrLogin@'))!;
    expect(login.task).toBe(`AcrLogin@${readTaskJson().version.Major}`);
    expect(Object.keys(login.inputs ?? {})).toEqual(['azureSubscription', 'containerRegistry', 'registry']);
  });

  it('finds what the schema alone would not: inputs and output variables that task.json or the script do not have', () => {
    const cases: Array<[string, string, string, RegExp]> = [
      [
        'input',
        '      registry: ${{ parameters.registry }}',
        '      registry: ${{ parameters.registry }}\n      loginServer: x',
        /'loginServer' is not an input of AcrLogin@1/
      ],
      ['login output', 'Login.loginServer)', 'Login.server)', /step 'acrBuildPushLogin' sets no output variable 'server'/],
      [
        'promised output',
        'variable=digest;isOutput=true',
        'variable=digest;isOutput=false',
        /output variable 'digest' is promised but never set/
      ],
      ['parameter', '${{ parameters.dockerfile }}', '${{ parameters.file }}', /parameters\.file is used but not declared/]
    ];
    for (const [, from, to, problem] of cases) {
      expect(templateProblems(parseTemplate(edited(templateText, from, to)), TEMPLATE_OUTPUTS).join('\n')).toMatch(problem);
    }
  });
});

describe('docs/unattended-push.md, docs/migration.md and the Azure Pipelines guide', () => {
  const read = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8');
  const yamlBlocks = (text: string) => [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const unattended = yamlBlocks(read('unattended-push.md'));
  const everyBlock = [...unattended, ...yamlBlocks(read('migration.md')), ...yamlBlocks(read('azure-pipelines.md'))];

  /** Every mapping in a parsed YAML value, depth first. */
  const mappings = (value: unknown): Array<Record<string, unknown>> => {
    if (Array.isArray(value)) return value.flatMap(mappings);
    if (value && typeof value === 'object') return [value as Record<string, unknown>, ...Object.values(value).flatMap(mappings)];
    return [];
  };

  it('every use of this action, AcrLogin@1 and the template in them passes only inputs and parameters that exist', () => {
    const actionInputs = Object.keys(actionMetadataFor('./')!.inputs);
    const taskInputs = readTaskJson().inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])]);
    const parameters = parseTemplate(templateText).parameters;
    const required = parameters.filter((p) => p.default === undefined).map((p) => p.name);
    const seen = { action: 0, task: 0, template: 0 };
    for (const node of everyBlock.flatMap((b) => mappings(parse(b)))) {
      if (typeof node.uses === 'string' && /\/acr-login@/.test(node.uses)) {
        seen.action += 1;
        expect(actionInputs).toEqual(expect.arrayContaining(Object.keys(node.with ?? {})));
      }
      if (node.task === 'AcrLogin@1') {
        seen.task += 1;
        expect(taskInputs).toEqual(expect.arrayContaining(Object.keys(node.inputs ?? {})));
      }
      if (typeof node.template === 'string' && node.template.startsWith('azure-pipelines/acr-build-push.yml@')) {
        seen.template += 1;
        const given = Object.keys(node.parameters ?? {});
        expect(parameters.map((p) => p.name)).toEqual(expect.arrayContaining(given));
        expect(given).toEqual(expect.arrayContaining(required));
      }
    }
    expect(seen.action).toBeGreaterThanOrEqual(3);
    expect(seen.task).toBeGreaterThanOrEqual(2);
    expect(seen.template).toBeGreaterThanOrEqual(2);
  });

  it('the GitHub caller validates and passes the workflow only inputs and secrets it declares, granting the permissions it needs', () => {
    const callers = unattended.filter((b) => b.includes('acr-build-push.yml@') && b.includes('jobs:'));
    expect(callers.length).toBeGreaterThan(0);
    const call = parseWorkflow(workflowText).on.workflow_call!;
    for (const text of callers) {
      expect({ schemaStore: schemaStoreErrors(text), actionValidator: actionValidatorErrors(text) }).toEqual({
        schemaStore: [],
        actionValidator: []
      });
      const caller = parse(text) as {
        permissions?: unknown;
        jobs: Record<string, { uses?: string; with?: object; secrets?: object; permissions?: unknown }>;
      };
      for (const callingJob of Object.values(caller.jobs).filter((j) => j.uses?.includes('acr-build-push.yml@'))) {
        expect(Object.keys(call.inputs ?? {})).toEqual(expect.arrayContaining(Object.keys(callingJob.with ?? {})));
        expect(Object.keys(call.secrets ?? {})).toEqual(expect.arrayContaining(Object.keys(callingJob.secrets ?? {})));
        expect(callingJob.permissions ?? caller.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      }
    }
  });

  it('the Azure Pipelines caller validates and takes the template from a repository resource pinned to a tag', async () => {
    const pipelines = unattended.filter((b) => b.includes('resources:'));
    expect(pipelines.length).toBeGreaterThan(0);
    for (const text of pipelines) {
      expect(await pipelineDiagnostics(text)).toEqual([]);
      const pipeline = parse(text) as { resources: { repositories: Array<{ repository: string; ref?: string }> } };
      const alias = /azure-pipelines\/acr-build-push\.yml@([\w-]+)/.exec(text)?.[1];
      expect(pipeline.resources.repositories.find((r) => r.repository === alias)?.ref).toMatch(/^refs\/tags\/v\d+(\.\d+)*$/);
    }
    for (const name of TEMPLATE_OUTPUTS) expect(read('unattended-push.md')).toContain(`\`${name}\``);
  });
});
