import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS_DOC, permissionsDoc } from '../../scripts/permissions-docs.ts';
import { SALESFORCE_CALLS } from '../../service/src/salesforce/integration-user.ts';

describe('docs/org-permissions.md', () => {
  it('is what npm run docs:permissions writes from the calls inventory today (rerun it after changing a call)', async () => {
    expect(readFileSync(PERMISSIONS_DOC, 'utf8')).toBe(await permissionsDoc());
  });

  it('has a row for every call site', () => {
    const page = readFileSync(PERMISSIONS_DOC, 'utf8');
    for (const call of SALESFORCE_CALLS) expect(page).toContain(`\`${call.site}\``);
  });
});
