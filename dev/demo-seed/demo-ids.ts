// The product's demo org: ids of its seed records (demo-org.json), by name.
// seed.test.ts checks that each one exists in the seed, so the two cannot drift apart.

export const DEMO_IDS = {
  users: {
    jordanLee: '0055e0000000001AAA', // CSM, owns every demo account and opportunity
    morganDiaz: '0055e0000000002AAA', // CSM, owns nothing
    alexAdmin: '0055e0000000003AAA', // System Administrator; the default running user
    caseyFormer: '0055e0000000004AAA', // inactive (still on the Acme opportunity team as its Renewal Manager)
    rileyPark: '0055e0000000005AAA', // Executive Sponsor on the Acme opportunity team
    samOkoro: '0055e0000000006AAA', // Technical Sales on the Acme account team
  },
  profiles: {
    systemAdministrator: '00e5e0000000001AAA',
    standardUser: '00e5e0000000002AAA', // the CSMs' profile
  },
  /** The permission sets the profiles own (their field access: FieldPermissions rows). */
  profilePermissionSets: {
    systemAdministrator: '0PS5e0000000001GAA',
    standardUser: '0PS5e0000000002GAA',
  },
  queues: {
    renewalDesk: '00G5e0000000001EAA', // a queue that supports Task
    caseTriage: '00G5e0000000002EAA', // a queue of Cases only: it cannot own a Task
  },
  notificationTypes: {
    renewalActionPlanAlert: '0ML5e0000000001GAA', // Renewal_Action_Plan_Alert, as force-app deploys it
  },
  accounts: {
    acme: '0015e0000000001AAA',
    northwind: '0015e0000000002AAA',
    globex: '0015e0000000003AAA',
    initech: '0015e0000000004AAA',
  },
  opportunities: {
    acme: '0065e0000000001AAA', // Discovery story: primary contact changing from Sarah Chen to Eric Estrada
    northwind: '0065e0000000002AAA', // Negotiate: renewal in ~75 days
    globex: '0065e0000000003AAA', // Critical: renewal in ~10 days, no activity for ~45 days
    initech: '0065e0000000004AAA', // Monitor: renewal in ~220 days
  },
  contacts: {
    sarahChen: '0035e0000000001AAA',
    ericEstrada: '0035e0000000002AAA',
    priyaPatel: '0035e0000000003AAA',
    danaWhitfield: '0035e0000000004AAA',
    lindaOkafor: '0035e0000000005AAA',
    marcusBell: '0035e0000000006AAA',
    tomReyes: '0035e0000000007AAA',
    ninaAlvarez: '0035e0000000008AAA',
  },
} as const;
