// The core's one entry (src/core/index.ts) exports the use cases and the types the adapters need, not the helper's
// internals: the adapters cannot reach cache files, paths or settings records through it.
import { join } from 'node:path';
import ts from 'typescript';

const INDEX = join(__dirname, '..', '..', 'src', 'core', 'index.ts');

function exportedNames(): string[] {
  const program = ts.createProgram([INDEX], { strict: true, noEmit: true, resolveJsonModule: true, esModuleInterop: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(INDEX);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`cannot read ${INDEX}`);
  return checker.getExportsOfModule(module).map((symbol) => symbol.getName());
}

const names = exportedNames();

it('exports the credential helper as a use case, not its cache, paths or settings records', () => {
  expect(names).toEqual(expect.arrayContaining(['login', 'logout', 'answerCredentialRequest', 'CredentialHelperHost']));
  const internals = names.filter((name) =>
    /cache|RefreshToken|readHelperSettings|cacheIdentity|SettingsPath|tokenCacheDir|TOKEN_USERNAME/i.test(name)
  );
  expect(internals).toEqual([]);
});

it('exports at most 30 names, types included', () => {
  expect({ count: names.length, names }).toEqual({ count: Math.min(names.length, 30), names });
});
