// What the build-and-push templates (GitHub's reusable workflow, the Azure Pipelines template, GitLab's
// acr-build-push component) are tested with: the caller's code, and what the registry holds afterwards.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSkopeo } from './skopeo';
import type { RegistryRef, World } from './world';

/**
 * The caller's code under `root/svc`: a Dockerfile with two stages, a build argument and labels that say which
 * stage and argument were built, so the registry's copy shows that `target` and `build-args` went through.
 */
export function writeCallerCode(root: string): void {
  mkdirSync(join(root, 'svc'), { recursive: true });
  writeFileSync(join(root, 'svc', 'hello.txt'), `hello ${randomUUID()}\n`);
  writeFileSync(
    join(root, 'svc', 'Dockerfile'),
    [
      'FROM scratch AS app',
      'ARG GREETING=unset',
      'LABEL org.example.greeting=$GREETING org.example.stage=app',
      'COPY hello.txt /hello.txt',
      '',
      'FROM app AS debug',
      'LABEL org.example.stage=debug',
      ''
    ].join('\n')
  );
}

/** What the registry holds under a reference, read with the admin user (not with anything the steps wrote). */
export async function inspectInRegistry(
  world: World,
  registry: RegistryRef,
  reference: string,
  workDir: string
): Promise<{ digest: string; labels: Record<string, string> }> {
  const authFile = await world.writeAuthFile(registry, world.admin.username, world.admin.password);
  const result = await runSkopeo(['inspect', '--authfile', authFile, '--tls-verify=false', `docker://${reference}`], { workDir });
  expect({ ok: result.ok, stderr: result.ok ? '' : result.stderr }).toEqual({ ok: true, stderr: '' });
  const inspected = JSON.parse(result.stdout) as { Digest: string; Labels: Record<string, string> | null };
  return { digest: inspected.Digest, labels: inspected.Labels ?? {} };
}

/** The `auths` section of the docker config in `dockerConfig`; empty when there is no config. */
export function readAuths(dockerConfig: string): Record<string, unknown> {
  const file = join(dockerConfig, 'config.json');
  return existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {}) : {};
}
