// What a federated credential must name to match a token, read from the token's own subject and issuer: the
// providers change their forms (GitHub's owner and repository ids, Azure DevOps' Entra issuer), so the advice
// for AADSTS700213 follows the form the presented token carries, not the one a platform used to have.

/** GitHub's default subject since 2026-07-15 for new, renamed and transferred repositories: `repo:OWNER@ID/REPO@ID:…`. */
const GITHUB_IMMUTABLE = /^repo:[^/:@]+@\d+\/[^/:@]+@\d+:/;
const AZURE_DEVOPS_ISSUER = 'https://vstoken.dev.azure.com/';

/** One clause saying what the token's subject depends on and in which form, or undefined for a form not known here. */
export function subjectHint(claims: Record<string, unknown>): string | undefined {
  const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '';
  const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
  if (GITHUB_IMMUTABLE.test(sub))
    return "GitHub's form with the owner and repository ids, used for repositories created, renamed or transferred since 2026-07-15 and those opted in; a credential naming repo:OWNER/REPO without the ids does not match it";
  if (sub.startsWith('repo:'))
    return 'GitHub: the branch, tag, environment or pull_request the job runs for; repositories created or renamed since 2026-07-15 carry repo:OWNER@ID/REPO@ID instead';
  if (sub.startsWith('/eid1/'))
    return 'Azure DevOps with the Entra issuer generates this subject: copy the issuer and subject identifier from the service connection';
  if (sub.startsWith('sc://'))
    return iss.startsWith(AZURE_DEVOPS_ISSUER)
      ? 'Azure DevOps: sc://<organization>/<project>/<service connection name>; this Azure DevOps issuer retires on 2027-07-01, convert the service connection to the Entra issuer'
      : 'Azure DevOps: sc://<organization>/<project>/<service connection name>';
  if (sub.startsWith('project_path:')) return 'GitLab: project_path:<group>/<project>:ref_type:<branch|tag>:ref:<name> of the job';
  if (sub.startsWith('system:serviceaccount:')) return 'Kubernetes: system:serviceaccount:<namespace>:<service account> of the pod';
  return undefined;
}
