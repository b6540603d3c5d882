/**
 * The secrets visible in clear in `text`. `handsOver` names the lines allowed to carry one: those that
 * give it to the runner or agent to mask (`::add-mask::`, `##vso[task.setsecret]`, a secret variable).
 */
export function leakedSecrets(text: string, secrets: string[], handsOver: (line: string) => boolean = () => false): string[] {
  const visible = text
    .split('\n')
    .filter((line) => !handsOver(line))
    .join('\n');
  return secrets.filter((secret) => secret.length >= 6 && visible.includes(secret));
}
