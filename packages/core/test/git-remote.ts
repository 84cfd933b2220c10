import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

/** Run git in `cwd`; returns its trimmed output. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** A bare repository serving partial clones (`uploadpack.allowFilter`), and a work tree that pushes to it. */
export interface TestRemote {
  /** The temp dir holding both (remove it when done). */
  root: string;
  /** The bare repository (what git+file:// points at). */
  bare: string;
  /** A clone to commit new kernels from. */
  work: string;
}

/** Make a remote in BTFHub layout holding a copy of `snapshotDir`, on branch `main`. */
export function makeRemote(snapshotDir: string): TestRemote {
  const root = mkdtempSync(join(tmpdir(), 'btf-git-remote-'));
  const bare = join(root, 'archive.git');
  const work = join(root, 'work');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  git(bare, 'config', 'uploadpack.allowFilter', 'true');
  git(bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  git(bare, 'config', 'http.receivepack', 'false');
  git(root, 'init', '-q', '-b', 'main', work);
  cpSync(snapshotDir, work, { recursive: true });
  commitAll(work, 'kernels');
  return { root, bare, work };
}

/** Commit everything in `work` and push it to the remote's `main`. */
export function commitAll(work: string, message: string): string {
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', message);
  git(work, 'push', '-q', join(work, '..', 'archive.git'), 'HEAD:main');
  return git(work, 'rev-parse', 'HEAD');
}

/** Object ids that a partial clone at `dir` lacks for `revision` (listed without fetching them). */
export function missingObjects(dir: string, revision: string): Set<string> {
  const out = git(dir, 'rev-list', '--objects', '--missing=print', revision);
  return new Set(
    out
      .split('\n')
      .filter((l) => l.startsWith('?'))
      .map((l) => l.slice(1)),
  );
}

/** The blob id of `path` at `revision` (read from the tree, which a blobless clone has). */
export function blobId(dir: string, revision: string, path: string): string {
  return git(dir, 'rev-parse', `${revision}:${path}`);
}

/**
 * Serve the bare repositories under `root` over smart HTTP on 127.0.0.1 through `git http-backend` (CGI).
 * Returns the server and its base URL; close the server when done.
 */
export async function serveHttp(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headerDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headerDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    cgi.on('close', () => res.end());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}
