/**
 * An eBPF agent built with unplugin-btf-bundle: it loads bpf/exec-events.bpf.o with libbpf, handing libbpf the
 * BTF that `virtual:btf-bundle` resolves for the running kernel as `btf_custom_path`, attaches its raw tracepoint
 * and prints one line per exec on the machine until stopped.
 *
 *   node dist/agent.js [--btf auto|bundle] [--count N] [--duration SECONDS]
 *
 * `--btf auto` (default) takes the override (`BTF_BUNDLE_BTF_PATH`), else the kernel's own BTF, else the bundle;
 * `--btf bundle` always takes the bundle. It stops after `--count` events, `--duration` seconds, or on
 * SIGINT/SIGTERM, and cleans up (detaches, frees, deletes the temp BTF file). Needs root (or CAP_BPF+CAP_PERFMON).
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as btf from 'virtual:btf-bundle';
import objectPath from '../bpf/exec-events.bpf.o?path';
import { decodeExecEvent } from './exec-event.js';
import { BpfObject } from './libbpf.js';

const USAGE = 'usage: agent [--btf auto|bundle] [--count N] [--duration SECONDS]';

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      btf: { type: 'string', default: 'auto' },
      count: { type: 'string' },
      duration: { type: 'string' },
    },
  });
  if (values.btf !== 'auto' && values.btf !== 'bundle')
    throw new Error(`--btf ${values.btf}: want auto or bundle`);
  const positive = (name) => {
    if (values[name] === undefined) return undefined;
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} ${values[name]}: want a positive number`);
    return n;
  };
  return { source: values.btf, count: positive('count'), duration: positive('duration') };
}

/** Resolves the BTF and returns libbpf's `btf_custom_path` for it (undefined: libbpf reads the kernel's own). */
async function btfCustomPath(source) {
  const resolved = await btf.resolveBtf(source === 'bundle' ? { source: 'bundle' } : {});
  const sha256 = createHash('sha256').update(resolved.bytes).digest('hex');
  const path =
    resolved.source === 'kernel' ? undefined : (resolved.path ?? (await btf.writeBtfFile(resolved)));
  const match = resolved.match ? ` match=${resolved.match.kind}:${resolved.match.id}` : '';
  console.log(
    `btf: source=${resolved.source}${match} bytes=${resolved.bytes.length} sha256=${sha256} path=${resolved.path ?? path}`,
  );
  return path;
}

/** Runs the agent until a stop condition; resolves with the number of events printed. */
async function run({ source, count, duration }) {
  const object = new BpfObject(objectPath, { btfCustomPath: await btfCustomPath(source) });
  let events = 0;
  try {
    object.load();
    object.attach('handle_exec');
    await new Promise((resolve, reject) => {
      const stop = () => {
        process.off('SIGINT', stop).off('SIGTERM', stop);
        clearTimeout(timer);
        resolve();
      };
      const timer = duration === undefined ? undefined : setTimeout(stop, duration * 1000);
      process.on('SIGINT', stop).on('SIGTERM', stop);
      object.readRingBuffer(
        'events',
        (data, size) => {
          const e = decodeExecEvent(data, size);
          console.log(`exec pid=${e.pid} ppid=${e.ppid} uid=${e.uid} comm=${e.comm} filename=${e.filename}`);
          if (++events === count) stop();
        },
        (err) => {
          stop();
          reject(err);
        },
      );
      console.log(`attached: handle_exec of ${objectPath}`);
    });
  } finally {
    object.close();
  }
  return events;
}

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (err) {
  console.error(`agent: ${err.message}\n${USAGE}`);
  process.exit(2);
}
try {
  const events = await run(options);
  console.log(`detached after ${events} events`);
} catch (err) {
  console.error(`agent: ${err.message}`);
  process.exitCode = 1;
}
