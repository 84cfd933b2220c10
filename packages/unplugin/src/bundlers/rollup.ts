/** rollup: placeholders replaced in `renderChunk` (source maps kept), files emitted in `generateBundle`. */
import { dirname } from 'node:path';
import MagicString from 'magic-string';
import type { Plugin, PluginContext } from 'rollup';
import type { BuildContext, Logger } from '../core/context.js';
import { chunkFormat, moduleGraphFilter } from '../core/output.js';
import type { Edit } from '../core/placeholders.js';

/** Applies placeholder edits to a rendered chunk with magic-string, keeping its source map exact. */
export function editChunk(
  code: string,
  edits: Edit[],
): { code: string; map: ReturnType<MagicString['generateMap']> } | null {
  if (edits.length === 0) return null;
  const out = new MagicString(code);
  for (const e of edits) out.overwrite(e.start, e.end, e.text);
  return { code: out.toString(), map: out.generateMap({ hires: true }) };
}

const logger = (plugin: PluginContext): Logger => ({
  warn: (message) => plugin.warn(message),
  info: (message) => plugin.info(message),
});

/** The rollup-only hooks of the plugin. */
export function rollupHooks(context: BuildContext): Partial<Plugin> {
  return {
    renderStart(outputOptions) {
      const { dir, file } = outputOptions;
      context.setOutputDirs(dir ? [dir] : file ? [dirname(file)] : []);
    },
    async renderChunk(code, chunk, outputOptions) {
      const live = moduleGraphFilter(this.getModuleIds());
      const format = chunkFormat(outputOptions.format);
      return editChunk(code, await context.chunkEdits(code, format, chunk.fileName, logger(this), live));
    },
    async generateBundle() {
      const live = moduleGraphFilter(this.getModuleIds());
      for (const file of await context.emittedFiles(live)) {
        this.emitFile({ type: 'asset', fileName: file.fileName, source: file.bytes });
      }
    },
  };
}
