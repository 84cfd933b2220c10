import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import MagicString from 'magic-string';
import { parseObjectId } from '../codegen.js';
import type { Logger, Session } from '../session.js';

/** The part of a rollup (vite: rolldown) plugin context the output hooks use. */
export interface OutputContext {
  getModuleIds(): IterableIterator<string>;
  warn(message: string): void;
  info(message: string): void;
  emitFile(file: { type: 'asset'; fileName: string; source: Uint8Array }): string;
}

/** The resolver of a rollup (vite: rolldown) plugin context. */
export interface ResolveContext {
  resolve(
    id: string,
    importer: string,
    options: { skipSelf: boolean },
  ): Promise<{ id: string; external?: boolean | 'absolute' | 'relative' } | null>;
}

/** Resolves `./x.bpf.o` and `./x.bpf.o?path` against the importer (rollup's own resolver keeps the query). */
export function resolveObjectImport(id: string, importer: string | undefined): string | undefined {
  const ref = parseObjectId(id);
  if (!ref || !(isAbsolute(ref.file) || ref.file.startsWith('.'))) return undefined;
  const file = importer && !isAbsolute(ref.file) ? resolve(dirname(importer), ref.file) : resolve(ref.file);
  // an absolute id that is no file may be vite's root-relative URL: leave it to vite
  if (!existsSync(file)) return undefined;
  return ref.kind === 'path' ? `${file}?path` : file;
}

/** The output hooks rollup and vite share: placeholders replaced in `renderChunk`, files emitted in `generateBundle`. */
export function rollupOutputHooks(session: Session, logger: (context: OutputContext) => Logger) {
  const live = (context: OutputContext) => {
    const ids = new Set([...context.getModuleIds()].map((id) => id.replace(/\?path$/, '')));
    return (path: string) => ids.has(path);
  };
  return {
    async renderChunk(
      this: OutputContext,
      code: string,
      chunk: { fileName: string },
      outputOptions: { format?: string },
    ): Promise<{ code: string; map: ReturnType<MagicString['generateMap']> } | null> {
      const format = outputOptions.format === 'es' ? 'esm' : 'cjs';
      const edits = await session.chunkEdits(code, format, chunk.fileName, logger(this), live(this));
      if (edits.length === 0) return null;
      const out = new MagicString(code);
      for (const e of edits) out.overwrite(e.start, e.end, e.text);
      return { code: out.toString(), map: out.generateMap({ hires: true }) };
    },
    generateBundle: {
      // after vite's asset plugin, which drops assets from SSR builds
      order: 'post' as const,
      async handler(this: OutputContext): Promise<void> {
        for (const file of await session.emittedFiles(live(this))) {
          this.emitFile({ type: 'asset', fileName: file.fileName, source: file.bytes });
        }
      },
    },
  };
}
