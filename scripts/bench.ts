// npm run bench [-- --quick] [-- --json FILE] [-- --runs N] [-- --dist DIR] [-- --compare DIR | --compare-ref REF] [-- --no-az]
//
// Starts the integration tests' stand-ins (Entra ID, GitHub OIDC, IMDS, ACR login servers in front of the
// real docker-registry), runs the bundled action as the runner does and prints the tables: wall time and
// cold start per auth path against the bare-node floor (and against a previous build, run interleaved),
// requests per login by endpoint, scaling to 20 registries, bundle sizes, the Azure CLI path side by side,
// and a verdict per target. The modules are in scripts/bench/; see docs/performance.md.
import { main } from './bench/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  }
);
