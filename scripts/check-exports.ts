// `npm run check:exports`: every export is imported somewhere else, part of `npm test`. An export nothing imports is
// either dead code or a local that says more than it should: delete it, or drop its `export` (`-- --fix` drops them;
// the type check then names the ones nothing uses at all). Default exports are left alone (tools load them by
// convention: vitest's global setup, configuration files).
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const config = ts.getParsedCommandLineOfConfigFile(
  resolve(root, 'tsconfig.json'),
  {},
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
);
if (!config) throw new Error('tsconfig.json could not be read');
const program = ts.createProgram(config.fileNames, config.options);
const checker = program.getTypeChecker();
const ours = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));

const original = (symbol: ts.Symbol): ts.Symbol => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
const imported = new Set<ts.Symbol>();
const useAll = (specifier: ts.Node) => {
  const module = checker.getSymbolAtLocation(specifier);
  if (module) for (const s of checker.getExportsOfModule(module)) imported.add(original(s));
};
const useName = (name: ts.Node) => {
  const symbol = checker.getSymbolAtLocation(name);
  if (symbol) imported.add(original(symbol));
};

for (const file of ours) {
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && node.importClause) {
      const { name, namedBindings } = node.importClause;
      if (name) useName(name);
      if (namedBindings && ts.isNamespaceImport(namedBindings)) useAll(node.moduleSpecifier);
      if (namedBindings && ts.isNamedImports(namedBindings)) namedBindings.elements.forEach((e) => useName(e.name));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      if (!node.exportClause) useAll(node.moduleSpecifier);
      else if (ts.isNamedExports(node.exportClause)) node.exportClause.elements.forEach((e) => useName(e.propertyName ?? e.name));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
      useAll(node.arguments[0]); // import('...'): whatever it destructures
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      useAll(node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
}

const unused: string[] = [];
/** The `export ` keywords to drop with --fix, by file: start offsets. */
const fixes = new Map<string, number[]>();
for (const file of ours) {
  const module = checker.getSymbolAtLocation(file);
  if (!module) continue;
  for (const symbol of checker.getExportsOfModule(module)) {
    if (symbol.name === 'default' || imported.has(original(symbol))) continue;
    const declaration = symbol.declarations?.[0];
    const line = declaration ? file.getLineAndCharacterOfPosition(declaration.getStart()).line + 1 : 0;
    unused.push(`${relative(root, file.fileName)}:${line} ${symbol.name}`);
    for (const d of symbol.declarations ?? []) {
      const holder = ts.isVariableDeclaration(d) ? d.parent.parent : d;
      const keyword = ts.canHaveModifiers(holder)
        ? ts.getModifiers(holder)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword)
        : undefined;
      if (keyword) fixes.set(file.fileName, [...(fixes.get(file.fileName) ?? []), keyword.getStart()]);
    }
  }
}

if (unused.length && process.argv.includes('--fix')) {
  for (const [fileName, starts] of fixes) {
    let text = readFileSync(fileName, 'utf8');
    for (const start of [...new Set(starts)].sort((a, b) => b - a))
      text = text.slice(0, start) + text.slice(start).replace(/^export\s+/, '');
    writeFileSync(fileName, text);
  }
  console.log(`check:exports --fix: dropped ${[...fixes.values()].flat().length} exports in ${fixes.size} files`);
} else if (unused.length) {
  console.error(`Exports nothing else imports (delete them, or drop the export):\n${unused.map((u) => `  ${u}`).join('\n')}`);
  process.exit(1);
} else console.log(`check:exports: every export of ${ours.length} files is imported elsewhere`);
