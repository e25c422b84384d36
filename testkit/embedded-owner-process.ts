/**
 * A process that owns the embedded PostgreSQL server of the directory in argv[2] (as `npm start` would) and writes
 * one row; it prints "ready <server pid>" and then waits to be killed. For the crash tests.
 */
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../service/src/db/embedded/server.ts';

const server = await startEmbeddedPostgres(process.argv[2]!);
const sql = postgres({ ...server.address, max: 1, onnotice: () => undefined });
await sql`CREATE TABLE IF NOT EXISTS survivors (note text)`;
await sql`INSERT INTO survivors VALUES ('written before the crash')`;
process.stdout.write(`ready ${server.pid}\n`);
setInterval(() => undefined, 60_000);
