// Rules that keep the package's Apex tests passing in any org (issue 23), checked on the source text:
// - no `SeeAllData` (a test that reads the org's data passes or fails with that data);
// - no profile looked up by name (`Profile.Name`, `FROM Profile ... Name`): names are translated and renamed, so
//   tests take the running user's profile id (`UserInfo.getProfileId()`);
// - in test classes, no record inserted except through the test data factory (`insert`, `upsert`, `merge`,
//   `Database.insert…`, `Test.loadData`), which fills what the org requires.
//
// Limits: the rules read tokens (comments skipped, a string literal is one token), not meaning. They miss an insert
// made by a non-test class that a test calls, a profile name query assembled from several strings, and a profile
// picked by another route (a permission set license, a user's `Profile.UserLicense`). They cannot tell whether the
// factory's values satisfy an org's validation rules: only running the tests in such an org does (docs/org-shapes.md).
import { ApexLexer, ApexParserFactory, type ApexToken } from '@apexdevtools/apex-parser';

/** The one Apex class that may insert records in tests. */
export const TEST_DATA_FACTORY = 'RenewalActionPlanTestData';

interface ApexRuleViolation {
  rule: 'see-all-data' | 'profile-name' | 'insert-outside-factory';
  line: number;
  text: string;
}

/** The tokens the compiler reads: no comments, no whitespace. */
function codeTokens(source: string): ApexToken[] {
  const stream = ApexParserFactory.createTokenStream(source);
  stream.fill();
  return stream.tokens.filter((t) => t.channel === 0 && t.type !== ApexLexer.EOF);
}

const lower = (token: ApexToken | undefined) => token?.text.toLowerCase() ?? '';

/** Whether the tokens say `a.b` (and `a.b.c` when three are given) starting at `i`, in any case. */
function dotted(tokens: ApexToken[], i: number, ...names: string[]): boolean {
  return names.every((name, k) => lower(tokens[i + 2 * k]) === name && (k === 0 || lower(tokens[i + 2 * k - 1]) === '.'));
}

/** A class annotated `@IsTest` (on the class or a method) or declaring a `testMethod`. */
export function isApexTestClass(source: string): boolean {
  const tokens = codeTokens(source);
  return tokens.some((t, i) => (t.text === '@' && lower(tokens[i + 1]) === 'istest') || lower(t) === 'testmethod');
}

/** In `[SELECT … FROM Profile … Name …]`, the filter names a profile: scan the query after `FROM Profile`. */
function soqlProfileByName(tokens: ApexToken[], i: number): boolean {
  if (lower(tokens[i]) !== 'from' || lower(tokens[i + 1]) !== 'profile') return false;
  for (let k = i + 2; k < tokens.length && ![']', ';'].includes(lower(tokens[k])); k++) if (lower(tokens[k]) === 'name') return true;
  return false;
}

const DML_INSERTS = new Set([ApexLexer.INSERT, ApexLexer.UPSERT, ApexLexer.MERGE]);

/** The violations in one Apex class, in source order. */
export function apexRuleViolations(source: string, className: string): ApexRuleViolation[] {
  const tokens = codeTokens(source);
  const checkInserts = isApexTestClass(source) && className !== TEST_DATA_FACTORY;
  const found: ApexRuleViolation[] = [];
  tokens.forEach((token, i) => {
    const at = (rule: ApexRuleViolation['rule']) => found.push({ rule, line: token.line, text: token.text });
    if (lower(token) === 'seealldata') at('see-all-data');
    if (dotted(tokens, i, 'profile', 'name') || soqlProfileByName(tokens, i)) at('profile-name');
    if (token.type === ApexLexer.StringLiteral && /\bfrom\s+profile\b[\s\S]*\bname\b/i.test(token.text)) at('profile-name');
    if (!checkInserts) return;
    // `insert x;`, `Database.insert(x)`, `upsert`, `merge`: one keyword token in each form.
    if (DML_INSERTS.has(token.type)) at('insert-outside-factory');
    if (dotted(tokens, i, 'database', 'insertimmediate') || dotted(tokens, i, 'database', 'insertasync')) at('insert-outside-factory');
    if (dotted(tokens, i, 'test', 'loaddata')) at('insert-outside-factory');
  });
  return found;
}
