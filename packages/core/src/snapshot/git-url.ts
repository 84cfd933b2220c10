import { isAbsolute, resolve } from 'node:path';

/** `scheme://userinfo@` in a text: the scheme (with `://`) and the userinfo. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@'"]*)@/gi;

/** Schemes whose user part alone may be a token (`https://TOKEN@host/…` authenticates on common hosts). */
const TOKEN_USER_SCHEME = /(^|\+)(https?|ftps?):\/\/$/i;

/** Transports git would run that make no sense for a snapshot: a file descriptor or an arbitrary command. */
const REFUSED_TRANSPORTS = /^(fd|ext)::/i;

/**
 * `text` with the credentials of every URL in it hidden, as git hides them in its own messages: the password of
 * `user:password@` becomes `***`, and so does a user part alone over http(s) or ftp(s), which may be a token. For
 * every error, warning and line that names a `git+` snapshot.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:***@`;
    return TOKEN_USER_SCHEME.test(scheme) ? `${scheme}***@` : `${scheme}${userinfo}@`;
  });
}

/** Why git must not be given `url` for a snapshot; undefined when it may. */
export function refusedUrl(url: string): string | undefined {
  const transport = REFUSED_TRANSPORTS.exec(url);
  return transport
    ? `the ${transport[1]}:: transport is not allowed for a snapshot; use an https://, ssh://, file:// URL or a path`
    : undefined;
}

/**
 * Whether git takes `url` as a path on this machine: no `scheme://`, no `<transport>::` and no scp-like
 * `[user@]host:path` (a colon before the first slash).
 */
function isLocalPath(url: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || url.includes('::')) return false;
  const colon = url.indexOf(':');
  return colon < 0 || (url.indexOf('/') >= 0 && url.indexOf('/') < colon);
}

/**
 * `url` as git is to fetch it from the snapshot's checkout: a relative local path (`./btfhub`, `../archive.git`)
 * resolved against `cwd` (git runs in the checkout, where it would mean something else); anything else as given.
 */
export function absoluteGitUrl(url: string, cwd: string): string {
  return isLocalPath(url) && !isAbsolute(url) ? resolve(cwd, url) : url;
}
