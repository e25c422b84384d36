import { ApexErrorListener, ApexParserFactory } from '@apexdevtools/apex-parser';

class CollectingListener extends ApexErrorListener {
  readonly errors: string[] = [];
  override apexSyntaxError(line: number, column: number, message: string): void {
    this.errors.push(`${line}:${column} ${message}`);
  }
}

/** Syntax errors of one Apex class source, as `line:column message`; empty when it parses. */
export function apexSyntaxErrors(source: string): string[] {
  const listener = new CollectingListener();
  const { parser } = ApexParserFactory.createLexerAndParser(source, listener);
  parser.compilationUnit();
  return listener.errors;
}
