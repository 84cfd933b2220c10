import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { isOpened, openRegularFileSync } from '../util/regular-file.js';

/**
 * Where the compiled code of a script lives between runs: `$XDG_CACHE_HOME/btf-bundle/v8` (default
 * `~/.cache/btf-bundle/v8`), or undefined when `BTF_BUNDLE_COMPILE_CACHE=0` turns the cache off or there is no
 * home directory.
 */
function compileCacheDir(): string | undefined {
  const env = process.env;
  if (env.BTF_BUNDLE_COMPILE_CACHE === '0') return undefined;
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  return base ? join(base, 'btf-bundle', 'v8') : undefined;
}

/**
 * Whether `dir` can hold code this process will run: created if missing (mode 0700), a real directory (not a
 * symbolic link) owned by this user and writable by nobody else. Code read from a directory that another user
 * can write would be theirs to choose.
 */
function privateDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = lstatSync(dir);
    const uid = process.getuid?.();
    return info.isDirectory() && (uid === undefined || info.uid === uid) && (info.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * Runs the CommonJS script `file` (the bundled CLI) as Node runs a module, with V8's code cache: the functions a
 * run compiled are saved when the process exits, and the next run of the same `variant` (the kind of run: each
 * compiles other functions, or runs with other V8 flags) starts from them instead of parsing and compiling them again. The script is read as
 * latin1: the bundle is pure ASCII (scripts/bundle-cli.mjs checks), and that is the cheapest decoding. It gets
 * `require`, the caller's: a script next to the caller that requires only Node's modules (`node:module`'s
 * `createRequire` would load Node's ES module loader for nothing). The cache is keyed by
 * the script file's identity (device, inode, size, modification time) and the Node version and arch; V8 itself
 * refuses a cache made by another V8 or with other flags, and such a cache is replaced. Any failure to read or
 * write the cache only costs the compilation it would have saved.
 */
export function runWithCompileCache(file: string, variant: string, require: NodeJS.Require): void {
  const fd = openSync(file, 'r');
  let source: string;
  let identity: string;
  try {
    const info = fstatSync(fd, { bigint: true });
    identity = [info.dev, info.ino, info.size, info.mtimeNs].join('-');
    source = readFileSync(fd, 'latin1');
  } finally {
    closeSync(fd);
  }
  const dir = compileCacheDir();
  const safeVariant = variant.replace(/[^a-z0-9-]/gi, '_').slice(0, 40) || 'none';
  const prefix = `${safeVariant}.`;
  const cacheFile =
    dir && privateDir(dir)
      ? join(dir, `${prefix}${process.version}-${process.arch}-${identity}.bin`)
      : undefined;
  const cachedData = cacheFile ? readCompileCache(cacheFile) : undefined;
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapper, { filename: file, cachedData });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => saveCompileCache(script, cacheFile, prefix));
  }
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, require, module, file, dirname(file));
}

/** Largest code cache read (a command's is ~250 KB). */
const MAX_COMPILE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The code cache in `file`, or undefined when there is none yet (this run makes it) or the file is not a regular
 * file of a sane size (the rule of `openRegularFileSync`, links not followed: a FIFO or a link to a device in its
 * place must not stall or flood every start).
 */
function readCompileCache(file: string): Buffer | undefined {
  let opened: ReturnType<typeof openRegularFileSync>;
  try {
    opened = openRegularFileSync(file, { noFollow: true, maxBytes: MAX_COMPILE_CACHE_BYTES });
  } catch {
    return undefined;
  }
  if (!isOpened(opened)) return undefined;
  try {
    return readFileSync(opened.fd);
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * Writes `script`'s code cache to `cacheFile` atomically, and removes older caches of the same variant. Written
 * here rather than by util/atomic-write: this runs in a process's `exit` handler, where only synchronous work runs.
 */
function saveCompileCache(script: Script, cacheFile: string, prefix: string): void {
  const dir = dirname(cacheFile);
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    try {
      writeFileSync(temp, script.createCachedData(), { flag: 'wx', mode: 0o600 });
      renameSync(temp, cacheFile);
    } catch (err) {
      // A write cut short (a full disk, a file size limit) leaves no temp file behind.
      rmSync(temp, { force: true });
      throw err;
    }
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (name.startsWith(prefix) && path !== cacheFile && !name.endsWith('.tmp'))
        rmSync(path, { force: true });
    }
  } catch {
    // A cache that cannot be written is a cache the next run does without.
  }
}
