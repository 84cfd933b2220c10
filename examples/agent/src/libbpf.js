/**
 * The part of libbpf's public C API the agent uses, bound with koffi against the system's libbpf.so.1
 * (Debian's libbpf1, >= 1.1). Every libbpf object is freed by the `close()` of the wrapper that owns it.
 */
import koffi from 'koffi';

/**
 * `struct bpf_object_open_opts` as of libbpf 1.1 (80 bytes on 64-bit). libbpf reads `sz` to know which fields
 * the caller knows, so newer libbpf versions accept this layout as it is.
 */
const OpenOpts = koffi.struct('bpf_object_open_opts', {
  sz: 'size_t',
  object_name: 'const char *',
  relaxed_maps: 'bool',
  pin_root_path: 'const char *',
  removed_attach_prog_fd: 'uint32_t',
  kconfig: 'const char *',
  btf_custom_path: 'const char *',
  kernel_log_buf: 'char *',
  kernel_log_size: 'size_t',
  kernel_log_level: 'uint32_t',
});
const SampleFn = koffi.proto('int ring_buffer_sample_fn(void *ctx, void *data, size_t size)');

/** The bound functions, loaded on first use so that a missing libbpf is an error the caller can report. */
let bound;
function libbpf() {
  if (bound) return bound;
  let lib;
  try {
    lib = koffi.load('libbpf.so.1');
  } catch (err) {
    throw new Error(`cannot load libbpf.so.1 (Debian/Ubuntu: apt install libbpf1): ${err.message}`);
  }
  bound = {
    openFile: lib.func('void *bpf_object__open_file(const char *path, const bpf_object_open_opts *opts)'),
    load: lib.func('int bpf_object__load(void *obj)'),
    close: lib.func('void bpf_object__close(void *obj)'),
    findProgram: lib.func('void *bpf_object__find_program_by_name(void *obj, const char *name)'),
    attach: lib.func('void *bpf_program__attach(void *prog)'),
    destroyLink: lib.func('int bpf_link__destroy(void *link)'),
    findMap: lib.func('void *bpf_object__find_map_by_name(void *obj, const char *name)'),
    mapFd: lib.func('int bpf_map__fd(void *map)'),
    ringBufferNew: lib.func(
      'void *ring_buffer__new(int map_fd, ring_buffer_sample_fn *cb, void *ctx, void *opts)',
    ),
    ringBufferConsume: lib.func('int ring_buffer__consume(void *rb)'),
    ringBufferEpollFd: lib.func('int ring_buffer__epoll_fd(void *rb)'),
    ringBufferFree: lib.func('void ring_buffer__free(void *rb)'),
    strerror: lib.func('int libbpf_strerror(int err, _Out_ char *buf, size_t size)'),
  };
  return bound;
}

/** An error of a libbpf call: `errno` is the positive error code, the message names the call and its subject. */
export class LibbpfError extends Error {
  /**
   * @param {string} what the call and what it was about
   * @param {number} errno positive error code (libbpf returns it negated or sets errno)
   */
  constructor(what, errno) {
    const buf = Buffer.alloc(256);
    libbpf().strerror(-errno, buf, buf.length);
    super(`${what}: ${buf.toString('utf8', 0, buf.indexOf(0))} (errno ${errno})`);
    this.name = 'LibbpfError';
    this.errno = errno;
  }
}

/** The pointer a libbpf call returned, or a {@link LibbpfError} from errno when it returned NULL. */
function pointerOrThrow(pointer, what) {
  if (pointer === null || pointer === 0n) throw new LibbpfError(what, koffi.errno() || koffi.os.errno.EINVAL);
  return pointer;
}

/** A ring buffer map read with libbpf's `ring_buffer`; samples arrive on the Node event loop. */
class RingBuffer {
  #rb;
  #callback;
  #poll;

  constructor(mapFd, onSample, onError, what) {
    this.#callback = koffi.register((_ctx, data, size) => {
      onSample(data, Number(size));
      return 0;
    }, koffi.pointer(SampleFn));
    try {
      this.#rb = pointerOrThrow(libbpf().ringBufferNew(mapFd, this.#callback, null, null), what);
    } catch (err) {
      koffi.unregister(this.#callback);
      throw err;
    }
    // libbpf's epoll fd becomes readable when the kernel has committed samples: consume them then.
    this.#poll = koffi.node.poll(libbpf().ringBufferEpollFd(this.#rb), { readable: true }, () => {
      const n = libbpf().ringBufferConsume(this.#rb);
      if (n < 0) onError(new LibbpfError(`${what}: ring_buffer__consume`, -n));
    });
  }

  /** Stops polling and frees the ring buffer. */
  close() {
    if (this.#rb === undefined) return;
    this.#poll.close();
    libbpf().ringBufferFree(this.#rb);
    koffi.unregister(this.#callback);
    this.#rb = undefined;
  }
}

/** A `bpf_object` opened from an ELF file, with the links and ring buffers made from it. */
export class BpfObject {
  #obj;
  #path;
  #links = [];
  #ringBuffers = [];

  /**
   * Opens the object (`bpf_object__open_file`). `btfCustomPath` is libbpf's `btf_custom_path`: the BTF used for
   * CO-RE relocations instead of the kernel's `/sys/kernel/btf/vmlinux`.
   * @param {string} path
   * @param {{ btfCustomPath?: string }} [options]
   */
  constructor(path, options = {}) {
    const opts = { sz: koffi.sizeof(OpenOpts), btf_custom_path: options.btfCustomPath ?? null };
    this.#obj = pointerOrThrow(libbpf().openFile(path, opts), `cannot open ${path}`);
    this.#path = path;
  }

  /** Relocates (CO-RE), verifies and loads every program and map into the kernel (`bpf_object__load`). */
  load() {
    const err = libbpf().load(this.#obj);
    if (err < 0) throw new LibbpfError(`cannot load ${this.#path}`, -err);
  }

  /** Attaches program `name` as its section says (`bpf_program__attach`); detached by {@link close}. */
  attach(name) {
    const prog = pointerOrThrow(libbpf().findProgram(this.#obj, name), `${this.#path}: no program ${name}`);
    this.#links.push(pointerOrThrow(libbpf().attach(prog), `cannot attach ${name} of ${this.#path}`));
  }

  /**
   * Reads ring buffer map `name`: `onSample(pointer, size)` runs on the event loop for each sample (the pointer
   * is valid during the call only); `onError` gets a failed read. Closed by {@link close}.
   * @param {string} name
   * @param {(data: bigint, size: number) => void} onSample
   * @param {(error: LibbpfError) => void} onError
   */
  readRingBuffer(name, onSample, onError) {
    const map = pointerOrThrow(libbpf().findMap(this.#obj, name), `${this.#path}: no map ${name}`);
    const fd = libbpf().mapFd(map);
    if (fd < 0) throw new LibbpfError(`${this.#path}: map ${name} has no fd (not loaded?)`, -fd);
    this.#ringBuffers.push(new RingBuffer(fd, onSample, onError, `ring buffer ${name} of ${this.#path}`));
  }

  /** Frees the ring buffers, destroys the links (detaching the programs) and closes the object. */
  close() {
    for (const rb of this.#ringBuffers.splice(0)) rb.close();
    for (const link of this.#links.splice(0)) libbpf().destroyLink(link);
    if (this.#obj !== undefined) libbpf().close(this.#obj);
    this.#obj = undefined;
  }
}
