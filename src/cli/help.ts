export const HELP = `Usage:
  acr-login [login] --registry REGISTRY [options]   log in to one or more Azure Container Registries
  acr-login logout [--registry REGISTRY]...          remove what acr-login wrote (for these registries, or all)
  acr-login --help | --version

Registries:
  --registry REGISTRY          myreg, myreg.azurecr.io (.cn, .us) or a URL; repeat it or separate by commas.
                               myreg-<hash>.azurecr.io, myreg.<region>.geo.azurecr.io and private link names work too.
                               Anything that is not an Azure Container Registry is refused before any token is asked for.

Identity (a flag left out is taken from the environment variable in brackets):
  --auth-type TYPE             auto (default), oidc, service-principal, managed-identity, token.
                               auto: --username -> token; a secret, certificate or creds -> service-principal;
                               a client id with a federated token -> oidc. Managed identity must be asked for.
  --client-id ID               app registration or user-assigned identity       [AZURE_CLIENT_ID]
  --tenant-id ID               directory (tenant) id                            [AZURE_TENANT_ID]
  --client-secret-file PATH    read the client secret from a file                [AZURE_CLIENT_SECRET]
  --client-secret-stdin        read the client secret from standard input
  --client-certificate PATH    PEM file holding the certificate and its key     [AZURE_CLIENT_CERTIFICATE_PATH]
  --creds-file PATH            azure/login JSON {"clientId","clientSecret","tenantId"}
  --federated-token-file PATH  OIDC token file, read at each use (AKS workload identity)  [AZURE_FEDERATED_TOKEN_FILE]
  --federated-token-env NAME   OIDC token in the environment variable NAME (GitLab CI id_tokens:)
                               Inside a GitHub job with id-token: write, the job's OIDC token is used.
  --username NAME              repository-scoped token or admin user (no Entra ID)
  --password-stdin             read its password from standard input
  Secrets are never taken from the command line: --client-secret and --password are refused.

Cloud (one per login: --environment, else the registries' suffix .azurecr.io/.cn/.us, else AzureCloud):
  --environment NAME           AzureCloud, AzureChinaCloud or AzureUSGovernment: authority and audiences
  --authority-host URL         Entra authority (default: the cloud's)            [AZURE_AUTHORITY_HOST]
  --token-audience VALUE       acr (default; works where authentication-as-arm is disabled), arm,
                               or an audience URI (https://...) for a cloud not listed
  --oidc-audience AUDIENCE     audience of the federated token (default: the cloud's, api://AzureADTokenExchange)

Proxy: HTTPS_PROXY / https_proxy, HTTP_PROXY / http_proxy and NO_PROXY / no_proxy are honoured by every request.

Where the credentials go:
  --login MODE                 auto (default): config; helper where the docker config names a
                                       credsStore or a credHelpers entry for the registry
                               docker: docker login --password-stdin
                               config: write $DOCKER_CONFIG/config.json (~/.docker/config.json) directly
                               helper: credHelpers entries for docker-credential-acr-login, which renews
                                       the token (valid about 3 hours) whenever less than 10 minutes are left
                               none:   nothing (the default with --print)
                               The same entries go to $REGISTRY_AUTH_FILE, podman's existing containers/auth.json
                               and helm's HELM_REGISTRY_CONFIG, so podman, buildah, skopeo and helm find them
  --print                      print {"loginServer","accessToken","username","expiresOn"} as JSON on stdout
                               (an array of them for several registries); nothing else goes to stdout

Diagnostics:
  --verbose                    debug lines on stderr: the auth path and why, the authority and audience,
                               each request's host and duration; never a secret          [ACR_LOGIN_DEBUG=1]

Exit codes: 0 success, 1 the login failed, 2 a bad command line.
Messages go to stderr. acr-login logout undoes what acr-login login wrote (recorded in
$XDG_STATE_HOME/acr-login/logins.json, else ~/.local/state/acr-login/logins.json).
`;
