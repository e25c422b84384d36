/** A uuid as PostgreSQL writes it (hex groups 8-4-4-4-12, any version), for patterns built on it. */
export const UUID_TEXT = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Exactly one uuid: a plan task id, an execution id. */
export const UUID = new RegExp(`^${UUID_TEXT}$`, 'i');
