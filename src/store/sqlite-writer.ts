/**
 * Entry point of the SQLite writer thread (a worker_thread started by SqliteCallStore). It owns the
 * store's only connection, so a lock held by another process, an fsync or a checkpoint blocks this
 * thread and never the event loop that paces call audio.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fieldCipher } from './field-cipher.js';
import { openDatabase } from './open-database.js';
import { type OpResult, SqliteWriterOps } from './sqlite-writer-ops.js';
import {
  toWireError,
  type WriterData,
  type WriterReply,
  type WriterRequest,
} from './sqlite-writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('sqlite-writer must run as a worker thread');
const { path, owner, dataKey } = workerData as WriterData;
// The store migrated the database before starting this thread.
const ops = new SqliteWriterOps(
  openDatabase(path, { migrate: false }),
  owner,
  fieldCipher(dataKey ? Buffer.from(dataKey) : undefined),
);

port.on('message', (req: WriterRequest) => {
  const reply = (r: WriterReply) => port.postMessage(r);
  const fail = (err: unknown) => reply({ id: req.id, ok: false, error: toWireError(err) });
  const succeed = (r: OpResult) => reply({ id: req.id, ok: true, ...r });
  try {
    const result = ops.run(req.body);
    if (result instanceof Promise) result.then(succeed, fail);
    else succeed(result);
  } catch (err) {
    fail(err);
  }
  if (req.body.op === 'close') port.close();
});
