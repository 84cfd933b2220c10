import { readdirSync, readFileSync } from 'node:fs';

/**
 * The xz processes this process has started that are still there, running or not yet waited for (zombies), as
 * `<pid> <state>`: read from /proc, so a check sees what the kernel sees. Tests run in forks (vitest's `forks`
 * pool): the processes of other test files are not counted.
 */
export function liveXzChildren(): string[] {
  const children = readdirSync('/proc/self/task').flatMap((tid) =>
    readFileSync(`/proc/self/task/${tid}/children`, 'utf8').split(' ').filter(Boolean),
  );
  const out: string[] = [];
  for (const pid of children) {
    try {
      // /proc/<pid>/stat: "<pid> (<comm>) <state> ..."
      const stat = /^\d+ \((.*)\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (stat?.[1] === 'xz') out.push(`${pid} ${stat[2]}`);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
