/** The ring buffer sample of bpf/exec-events.bpf.c (`struct exec_event` in bpf/exec-events.h). */
import koffi from 'koffi';

const ExecEvent = koffi.struct('exec_event', {
  pid: 'uint32_t',
  ppid: 'uint32_t',
  uid: 'uint32_t',
  filename_len: 'uint32_t',
  comm: koffi.array('char', 16, 'String'),
  filename: koffi.array('char', 256, 'String'),
});

/** Size in bytes of one sample. */
export const EXEC_EVENT_SIZE = koffi.sizeof(ExecEvent);

/**
 * Decodes the sample at `pointer` (`size` bytes, as the ring buffer reported it) into
 * `{ pid, ppid, uid, comm, filename }`; throws when the size is not the struct's.
 * @param {bigint} pointer
 * @param {number} size
 */
export function decodeExecEvent(pointer, size) {
  if (size !== EXEC_EVENT_SIZE) throw new Error(`exec event of ${size} bytes, expected ${EXEC_EVENT_SIZE}`);
  const { pid, ppid, uid, comm, filename } = koffi.decode(pointer, ExecEvent);
  return { pid, ppid, uid, comm, filename };
}
