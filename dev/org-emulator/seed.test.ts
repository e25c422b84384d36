// Local Salesforce org emulator (not Salesforce): ids and seed validation.

import { describe, expect, it } from 'vitest';
import { idChecksum, toId18 } from './ids.ts';
import { parseSeed, salesforceId, startOrgEmulator } from './index.ts';

describe('salesforceId', () => {
  it('computes the real case-safe checksum', () => {
    expect(idChecksum('001A0000006Vm9r')).toBe('IAC'); // a published 15 -> 18 character example
    expect(toId18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(toId18('001A0000006Vm9rAAA')).toBeUndefined();
  });

  it('is deterministic, 18 characters and keeps the key prefix', () => {
    expect(salesforceId('006', 1)).toBe('0065e0000000001AAA');
    expect(salesforceId('00T', 1_000_000)).toBe(salesforceId('00T', 1_000_000));
    expect(salesforceId('00T', 1_000_000)).toMatch(/^00T[0-9A-Za-z]{15}$/);
    expect(toId18(salesforceId('003', 61).slice(0, 15))).toBe(salesforceId('003', 61));
  });
});

describe('seed validation', () => {
  const minimal = {
    Profile: [{ Id: salesforceId('00e', 1), Name: 'System Administrator' }],
    User: [
      {
        Id: salesforceId('005', 1),
        LastName: 'Admin',
        Username: 'admin@x.example',
        Email: 'admin@x.example',
        ProfileId: salesforceId('00e', 1),
      },
    ],
  };

  it('starts an org from a small custom seed', async () => {
    const org = await startOrgEmulator({ seed: { ...minimal, Account: [{ Id: salesforceId('001', 9), Name: 'Solo' }] } });
    try {
      expect(org.records('Account').map((a) => a.Name)).toEqual(['Solo']);
      expect(org.records('Opportunity')).toEqual([]);
    } finally {
      await org.close();
    }
  });

  it('rejects unknown fields, bad ids and bad relative dates', () => {
    expect(() => parseSeed({ ...minimal, Account: [{ Id: salesforceId('001', 1), Name: 'A', Colour__c: 'red' }] })).toThrow(/Colour__c/);
    expect(() => parseSeed({ ...minimal, Account: [{ Id: '001-not-an-id', Name: 'A' }] })).toThrow(/valid Salesforce id/);
    expect(() => parseSeed({ ...minimal, Account: [{ Id: salesforceId('003', 1), Name: 'A' }] })).toThrow(/starting with 001/);
    expect(() =>
      parseSeed({ ...minimal, Opportunity: [{ Id: salesforceId('006', 1), Name: 'O', StageName: 'S', CloseDate: { days: 3 } }] }),
    ).toThrow();
  });

  it('rejects records Salesforce would refuse', async () => {
    const badTask = { ...minimal, Task: [{ Id: salesforceId('00T', 1), Subject: 'x', Status: 'Finished' }] };
    await expect(startOrgEmulator({ seed: badTask })).rejects.toThrow(/Seed Task .*INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST/);
  });
});
