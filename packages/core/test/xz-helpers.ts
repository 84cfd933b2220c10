import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * The xz processes descending from this process that are still there, running or not yet waited for (zombies), as
 * `<pid> <state>`: read from /proc, so a check sees what the kernel sees. Descendants, not only children: a lane's
 * read-ahead decoders are started by its launcher shell. Tests run in forks (vitest's `forks` pool): the processes
 * of other test files are not counted.
 */
export function liveXzChildren(): string[] {
  const childrenOf = (pid: string): string[] =>
    readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean);
      } catch {
        return []; // gone meanwhile
      }
    });
  const out: string[] = [];
  const pending = childrenOf('self');
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    try {
      // /proc/<pid>/stat: "<pid> (<comm>) <state> ..."
      const stat = /^\d+ \((.*)\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat?.[1] === 'xz') out.push(`${pid} ${stat[2]}`);
      pending.push(...childrenOf(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The temporary files of read-ahead decoding still there: by name in the temporary directory, and (as they are
 * unlinked at once) among this process's open file descriptors.
 */
export function liveXzTempFiles(): string[] {
  const named = readdirSync(tmpdir()).filter((name) => name.startsWith(`btf-bundle-xz-${process.pid}-`));
  const open = readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.includes('/btf-bundle-xz-') ? [target] : [];
    } catch {
      return []; // closed meanwhile
    }
  });
  return [...named, ...open];
}
