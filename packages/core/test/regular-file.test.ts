/**
 * The one rule of the readers that take regular files only (`util/regular-file.ts`): a regular file is opened, a
 * FIFO (no writer: an open that blocked would never return), a device, a directory or an over-large file is
 * refused with its stats, a link is followed unless `noFollow` (then ELOOP), in the synchronous and the thread-pool
 * form alike. And `portableMessage`: the reason a bundle or report keeps, with a file named by its base name only.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, readFileSync, type Stats, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BtfBundleError, FormatError, portableMessage } from '../src/errors.js';
import {
  isOpened,
  openRegularFileSync,
  type RegularFileOptions,
  readRegularFile,
} from '../src/util/regular-file.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

const dir = temp('btf-regular-');
writeFileSync(join(dir, 'file'), 'contents');
symlinkSync(join(dir, 'file'), join(dir, 'link'));
execFileSync('mkfifo', [join(dir, 'fifo')]);

/** What the sync and the thread-pool form make of `path`: its contents, or the stats of what they refused. */
const forms = {
  sync: async (path: string, options?: RegularFileOptions): Promise<Buffer | Stats> => {
    const opened = openRegularFileSync(path, options);
    if (!isOpened(opened)) return opened;
    try {
      expect(opened.stats.isFile()).toBe(true);
      return readFileSync(opened.fd);
    } finally {
      closeSync(opened.fd);
    }
  },
  async: readRegularFile,
};

describe.each(Object.entries(forms))('regular files only (%s)', (_, read) => {
  it('reads a regular file, also through a link', async () => {
    for (const name of ['file', 'link']) expect(String(await read(join(dir, name)))).toBe('contents');
  });

  it('refuses a FIFO without waiting for a writer, a device and a directory, with their stats', async () => {
    const refused = async (path: string) => {
      const result = await read(path);
      if (Buffer.isBuffer(result)) throw new Error(`${path} was read`);
      return result;
    };
    expect((await refused(join(dir, 'fifo'))).isFIFO()).toBe(true);
    expect((await refused('/dev/zero')).isCharacterDevice()).toBe(true);
    expect((await refused(dir)).isDirectory()).toBe(true);
  });

  it('refuses a file over maxBytes, and a link with noFollow (ELOOP)', async () => {
    const large = await read(join(dir, 'file'), { maxBytes: 7 });
    expect(Buffer.isBuffer(large) ? 'read' : large.size).toBe(8);
    expect(String(await read(join(dir, 'file'), { maxBytes: 8, noFollow: true }))).toBe('contents');
    await expect(read(join(dir, 'link'), { noFollow: true })).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(read(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('portableMessage', () => {
  it('names a file by its base name, for typed and file-system errors alike', () => {
    const typed = new FormatError('bad magic', { file: '/home/me/snap/k.btf', offset: 0 });
    expect(portableMessage(typed)).toBe('k.btf (offset 0): bad magic');
    let system: unknown;
    try {
      readFileSync('/nonexistent-dir/k.btf');
    } catch (err) {
      system = err;
    }
    expect(portableMessage(system)).toBe('k.btf: cannot open: no such file or directory (ENOENT)');
    expect(portableMessage(new BtfBundleError('no place'))).toBe('no place');
    expect(portableMessage(new Error('plain'))).toBe('plain');
    expect(portableMessage('thrown text')).toBe('thrown text');
  });
});
