/**
 * The one rule of the readers that take regular files only (`util/regular-file.ts`): a regular file is opened, a
 * FIFO (no writer: an open that blocked would never return), a device, a directory or an over-large file is
 * refused with its stats, a link is followed unless `noFollow` (then ELOOP), in the synchronous and the thread-pool
 * form alike. And `portableMessage`: the reason a bundle or report keeps, with a file named by its base name only.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, readFileSync, readSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BtfBundleError, FormatError, portableMessage } from '../src/errors.js';
import {
  isOpened,
  type OpenedRegularFile,
  openRegularFile,
  openRegularFileSync,
  type RegularFileOptions,
} from '../src/util/regular-file.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

const forms = {
  sync: async (path: string, options?: RegularFileOptions) => openRegularFileSync(path, options),
  async: openRegularFile,
};

describe.each(Object.entries(forms))('openRegularFile (%s)', (_, open) => {
  const dir = temp('btf-regular-');
  writeFileSync(join(dir, 'file'), 'contents');
  symlinkSync(join(dir, 'file'), join(dir, 'link'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);

  it('opens a regular file, also through a link, and reads it through the descriptor', async () => {
    for (const name of ['file', 'link']) {
      const opened = (await open(join(dir, name))) as OpenedRegularFile;
      expect(isOpened(opened)).toBe(true);
      try {
        expect(opened.stats.size).toBe(8);
        expect(readFileSync(opened.fd, 'utf8')).toBe('contents');
      } finally {
        closeSync(opened.fd);
      }
    }
  });

  it('refuses a FIFO without waiting for a writer, a device and a directory, with their stats', async () => {
    const fifo = await open(join(dir, 'fifo'));
    expect(isOpened(fifo) ? 'opened' : fifo.isFIFO()).toBe(true);
    const device = await open('/dev/zero');
    expect(isOpened(device) ? 'opened' : device.isCharacterDevice()).toBe(true);
    const directory = await open(dir);
    expect(isOpened(directory) ? 'opened' : directory.isDirectory()).toBe(true);
  });

  it('refuses a file over maxBytes, and a link with noFollow (ELOOP)', async () => {
    const large = await open(join(dir, 'file'), { maxBytes: 7 });
    expect(isOpened(large) ? 'opened' : large.size).toBe(8);
    const fits = (await open(join(dir, 'file'), { maxBytes: 8, noFollow: true })) as OpenedRegularFile;
    expect(isOpened(fits)).toBe(true);
    const byte = Buffer.alloc(1);
    readSync(fits.fd, byte, 0, 1, 0);
    closeSync(fits.fd);
    expect(byte.toString()).toBe('c');
    await expect(open(join(dir, 'link'), { noFollow: true })).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(open(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
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
