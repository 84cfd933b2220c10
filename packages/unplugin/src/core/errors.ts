import { BtfBundleError, formatError } from '@btf-bundle/runtime';
import { systemErrorDetail } from '@btf-bundle/runtime/internal';

const PREFIX = 'unplugin-btf-bundle: ';

/**
 * An error of the plugin's work as the bundler shows it: one `unplugin-btf-bundle: …` line in the style of the
 * CLI's (`formatError`: the place then the detail, a file-system error with its path and code, never a stack).
 * A btf-bundle error keeps its class, code and fields; any other becomes a {@link BtfBundleError} with it as cause.
 */
export function pluginError(err: unknown): Error {
  if (err instanceof Error && err.message.startsWith(PREFIX)) return err;
  const message = `${PREFIX}${formatError(err)}`;
  if (err instanceof BtfBundleError) {
    // A copy by descriptors, as `withPlace` does: same class, code, place and report.
    const copy = Object.create(
      Object.getPrototypeOf(err),
      Object.getOwnPropertyDescriptors(err),
    ) as BtfBundleError;
    copy.message = message;
    // the first line of the stack says the same (rspack prints the stack of an error thrown in a hook)
    const frames = err.stack?.includes('\n') ? err.stack.slice(err.stack.indexOf('\n')) : '';
    copy.stack = `${copy.name}: ${message}${frames}`;
    return copy;
  }
  const code = systemErrorDetail(err)?.code ?? 'INTERNAL';
  return new BtfBundleError(message, {}, { cause: err, code });
}
