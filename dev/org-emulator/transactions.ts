// Local Salesforce org emulator (not Salesforce): the window between an upsert's lookup and its commit.
//
// In a real org an upsert by external id is a transaction: it looks the key up, then inserts or updates, then
// commits. Two transactions upserting the same new key at once both find nothing and both insert; the field's
// unique index (External ID + Unique, see "Upsert Records Using sObject Rows by External ID" in the REST API guide)
// lets the first commit and fails the second with DUPLICATE_VALUE ("duplicate value found: <field> duplicates value
// on record with id: <id>"). The emulator keeps that window open across an event-loop turn, so concurrent requests
// really interleave there; a test can also hold every upsert at that point and release them together.

export class CommitWindow {
  private held: { waiting: number; release: Promise<void> } | undefined;
  private releaseHeld: (() => void) | undefined;

  /** Where an upsert waits between its lookup and its write. */
  async reached(): Promise<void> {
    if (this.held) {
      this.held.waiting += 1;
      await this.held.release;
      return;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Holds every upsert at its commit point until `release()`; `waiting()` counts those held. */
  hold(): { waiting(): number; release(): void } {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    const held = { waiting: 0, release: promise };
    this.held = held;
    this.releaseHeld = release;
    return {
      waiting: () => held.waiting,
      release: () => {
        if (this.held === held) this.held = undefined;
        release();
      },
    };
  }

  /** Lets everything held go (the emulator closing). */
  releaseAll(): void {
    this.releaseHeld?.();
    this.held = undefined;
  }
}
