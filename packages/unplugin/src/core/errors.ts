import { BtfBundleError, formatError } from '@btf-bundle/runtime';
import { systemErrorDetail } from '@btf-bundle/runtime/internal';

const PREFIX = 'unplugin-btf-bundle: ';

/**
 * An error of the plugin's work as the bundler shows it: one `unplugin-btf-bundle: …` line in the style of the
 * CLI's (`formatError`: the place then the detail, a file-system error with its path and code, no stack frames).
 * A btf-bundle error keeps its class, code and fields; any other becomes a {@link BtfBundleError} with it as cause.
 */
export function pluginError(err: unknown): Error {
  if (err instanceof Error && err.message.startsWith(PREFIX))
    return err instanceof BtfBundleError && err.code !== 'INTERNAL' ? oneLine(err) : err;
  const message = `${PREFIX}${formatError(err)}`;
  if (err instanceof BtfBundleError) {
    // A copy by descriptors, as `withPlace` does: same class, code, place and report.
    const copy = Object.create(
      Object.getPrototypeOf(err),
      Object.getOwnPropertyDescriptors(err),
    ) as BtfBundleError;
    copy.message = message;
    return oneLine(copy);
  }
  const code = systemErrorDetail(err)?.code;
  if (code === undefined) return new BtfBundleError(message, {}, { cause: err, code: 'INTERNAL' });
  return oneLine(new BtfBundleError(message, {}, { cause: err, code }));
}

/**
 * `err` with a stack of its first line alone: the bundlers print the stack of an error thrown in a hook (rspack,
 * vite) or point at its top frame (esbuild), which are the plugin's insides, not the user's mistake. An internal
 * error keeps its frames.
 */
function oneLine(err: BtfBundleError): BtfBundleError {
  err.stack = `${err.name}: ${err.message}`;
  return err;
}
