// A BTFHub-scale snapshot made from our real kernels: many distros, versions, arches and flavours, with release
// names in each distro's own numbering and realistic drift between releases. Used by the scale benchmark
// (bench/scale.ts, ≥ 1,000 kernels, written once into a git-ignored cache) and by the scale tests (100 kernels).
//
// How a series drifts: each (distro, version, arch, flavour) starts from one real kernel BTF of that arch and
// flavour. Going up its releases, every few releases one or two commonly traced structs change in one of three ways
// a kernel update changes them without changing their size: a member moves (two members of one type swap offsets),
// a member is added into a hole between members, or a member is dropped. Consecutive releases without a change
// have the same layouts, as in a distro's series; every file still differs (a string naming the release is added
// to the string section), so no two kernels share a cache entry. The output is deterministic for a seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Btf } from '../../packages/core/src/btf/btf.js';
import { BTF_HEADER_LEN, Kind, packInfo, writeBtfHeader } from '../../packages/core/src/btf/format.js';
import { readKernelBtf } from '../../packages/core/src/snapshot/input.js';
import { prng } from './drift.js';

/** Structs the drift picks from: what tracing tools read most. Those a kernel lacks are skipped. */
const DRIFTING_STRUCTS = [
  'task_struct',
  'mm_struct',
  'file',
  'inode',
  'dentry',
  'super_block',
  'sock_common',
  'sock',
  'tcp_sock',
  'inet_sock',
  'sk_buff',
  'net_device',
  'request',
  'bio',
  'cgroup',
  'signal_struct',
  'vm_area_struct',
  'linux_binprm',
  'cred',
  'block_device',
];

/** One series of a distro: releases numbered its own way, all on one base kernel. */
interface Series {
  distro: string;
  version: string;
  arch: 'x86_64' | 'arm64';
  flavour: 'generic' | 'cloud' | 'rt';
  releases: string[];
}

/** Release strings in each distro's format, `count` of them, increasing. */
function seriesReleases(
  distro: string,
  version: string,
  arch: string,
  flavour: string,
  count: number,
): string[] {
  const cpu = arch === 'x86_64' ? 'x86_64' : 'aarch64';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 10 + i * 3; // gaps between published releases, as in the archive
    switch (distro) {
      case 'ubuntu': {
        const base = { '18.04': '4.15.0', '20.04': '5.4.0', '22.04': '5.15.0' }[version] ?? '5.4.0';
        const suffix = flavour === 'cloud' ? 'aws' : flavour === 'rt' ? 'lowlatency' : 'generic';
        out.push(`${base}-${n}-${suffix}`);
        break;
      }
      case 'centos':
      case 'rhel':
        out.push(
          version.startsWith('7')
            ? `3.10.0-${957 + n * 10}.el7.${cpu}`
            : `4.18.0-${80 + n * 10}.${(n % 7) + 1}.1.el8_${Math.floor(n / 40) + 1}.${cpu}`,
        );
        break;
      case 'ol':
        out.push(`5.4.17-${2011 + n * 5}.${(n % 9) + 1}.el8uek.${cpu}`);
        break;
      case 'sles':
        out.push(`5.3.18-150300.${59 + Math.floor(n / 8)}.${n % 8 === 0 ? 5 : (n % 8) * 7}-default`);
        break;
      case 'amzn':
        out.push(
          version === '2'
            ? `4.14.${101 + n}-${76 + n}.${(n % 9) + 1}.amzn2.${cpu}`
            : `5.10.${50 + n}-${44 + n}.${(n % 7) + 1}.amzn2022.${cpu}`,
        );
        break;
      default: {
        const deb = flavour === 'cloud' ? 'cloud-' : flavour === 'rt' ? 'rt-' : '';
        out.push(`5.10.0-${n}-${deb}${arch === 'x86_64' ? 'amd64' : 'arm64'}`);
      }
    }
  }
  return out;
}

/** The series of the generated archive, scaled so that their releases add up to about `kernels`. */
function archiveSeries(kernels: number): Series[] {
  const shape: [string, string, Series['arch'], Series['flavour']][] = [
    ['ubuntu', '18.04', 'x86_64', 'generic'],
    ['ubuntu', '20.04', 'x86_64', 'generic'],
    ['ubuntu', '20.04', 'x86_64', 'cloud'],
    ['ubuntu', '20.04', 'arm64', 'generic'],
    ['ubuntu', '22.04', 'x86_64', 'generic'],
    ['ubuntu', '22.04', 'x86_64', 'rt'],
    ['ubuntu', '22.04', 'arm64', 'generic'],
    ['centos', '7', 'x86_64', 'generic'],
    ['centos', '8', 'x86_64', 'generic'],
    ['centos', '8', 'arm64', 'generic'],
    ['rhel', '8', 'x86_64', 'generic'],
    ['ol', '8', 'x86_64', 'generic'],
    ['sles', '15.3', 'x86_64', 'generic'],
    ['amzn', '2', 'x86_64', 'cloud'],
    ['amzn', '2', 'arm64', 'generic'],
    ['amzn', '2022', 'x86_64', 'cloud'],
    ['debian', '11', 'x86_64', 'generic'],
    ['debian', '11', 'x86_64', 'cloud'],
    ['debian', '11', 'x86_64', 'rt'],
    ['debian', '11', 'arm64', 'generic'],
  ];
  const per = Math.floor(kernels / shape.length);
  const extra = kernels - per * shape.length;
  return shape.map(([distro, version, arch, flavour], i) => ({
    distro,
    version,
    arch,
    flavour,
    releases: seriesReleases(distro, version, arch, flavour, per + (i < extra ? 1 : 0)),
  }));
}

/** One struct's members as edited by the drift: [name offset, type id, offset word]. */
type Members = [number, number, number][];

/** A base kernel with the edits of a series so far. */
class DriftingKernel {
  private readonly btf: Btf;
  private readonly view: DataView;
  private readonly typeStart: number;
  private readonly strStart: number;
  /** Struct ids to drift, with their current members. */
  private readonly edited = new Map<number, Members>();
  private readonly extraStrings: string[] = [];
  private readonly candidates: number[];

  constructor(private readonly bytes: Uint8Array) {
    this.btf = Btf.parse(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hdrLen = this.view.getUint32(4, true);
    this.typeStart = hdrLen + this.view.getUint32(8, true);
    this.strStart = hdrLen + this.view.getUint32(16, true);
    const wanted = new Set(DRIFTING_STRUCTS);
    this.candidates = [];
    for (let id = 1; id < this.btf.typeCount; id++) {
      if (this.btf.kind(id) === Kind.STRUCT && wanted.has(this.btf.name(id)) && this.btf.vlen(id) > 2) {
        wanted.delete(this.btf.name(id));
        this.candidates.push(id);
      }
    }
  }

  private members(id: number): Members {
    let m = this.edited.get(id);
    if (!m) {
      m = [];
      for (let i = 0; i < this.btf.vlen(id); i++) {
        const at = this.btf.recordOffset(id) + 12 + 12 * i;
        m.push([
          this.view.getUint32(at, true),
          this.view.getUint32(at + 4, true),
          this.view.getUint32(at + 8, true),
        ]);
      }
      this.edited.set(id, m);
    }
    return m;
  }

  /** Apply one drift step chosen by `rand`; returns what changed, for the record. */
  drift(rand: () => number): string {
    const id = this.candidates[Math.floor(rand() * this.candidates.length)] as number;
    const members = this.members(id);
    const name = this.btf.name(id);
    const kflag = this.btf.kindFlag(id);
    const bitOff = (w: number) => (kflag ? w & 0xffffff : w);
    const plain = members.flatMap((m, i) => (!kflag || m[2] >>> 24 === 0 ? [i] : []));
    const op = rand();
    if (op < 0.5) {
      // Move: two members of the same type trade places.
      for (let tries = 0; tries < 20; tries++) {
        const a = plain[Math.floor(rand() * plain.length)] as number;
        const b = plain.find(
          (j) => j !== a && (members[j] as Members[0])[1] === (members[a] as Members[0])[1],
        );
        if (b === undefined) continue;
        const ma = members[a] as Members[0];
        const mb = members[b] as Members[0];
        [ma[2], mb[2]] = [mb[2], ma[2]];
        return `${name}: ${this.btf.string(ma[0])} <-> ${this.btf.string(mb[0])}`;
      }
    }
    if (op < 0.85) {
      // Add: a 4-byte member into the first hole of 4+ bytes after a random member.
      const sorted = [...members].sort((x, y) => bitOff(x[2]) - bitOff(y[2]));
      const start = Math.floor(rand() * sorted.length);
      for (let k = start; k < sorted.length - 1; k++) {
        const cur = sorted[k] as Members[0];
        const end = bitOff(cur[2]) + 8 * this.btf.resolveSize(cur[1]);
        const next = bitOff((sorted[k + 1] as Members[0])[2]);
        const aligned = Math.ceil(end / 32) * 32;
        if (kflag && cur[2] >>> 24 !== 0) continue;
        if (aligned + 32 <= next) {
          const label = `drift_${this.extraStrings.length}`;
          this.extraStrings.push(label);
          members.push([-this.extraStrings.length, this.intType(), aligned]);
          members.sort((x, y) => bitOff(x[2]) - bitOff(y[2]));
          return `${name}: + ${label}`;
        }
      }
    }
    // Drop: a member disappears (its bytes become a hole).
    const gone = plain[Math.floor(rand() * plain.length)] as number;
    const [removed] = members.splice(gone, 1) as [Members[0]];
    return `${name}: - ${removed[0] < 0 ? `drift_${-removed[0] - 1}` : this.btf.string(removed[0])}`;
  }

  private intType(): number {
    for (let id = 1; id < this.btf.typeCount; id++)
      if (this.btf.kind(id) === Kind.INT && this.btf.name(id) === 'int') return id;
    return 1;
  }

  /** The BTF with the edits so far and `tag` added to its string section. */
  write(tag: string): Uint8Array {
    const oldStrLen = this.bytes.length - this.strStart;
    const strings = [...this.extraStrings, tag].map((s) => Buffer.from(`${s}\0`, 'latin1'));
    const extraOffsets: number[] = [];
    let strLen = oldStrLen;
    for (const s of strings) {
      extraOffsets.push(strLen);
      strLen += s.length;
    }
    const ids = [...this.edited.keys()].sort((a, b) => a - b);
    const chunks: Uint8Array[] = [];
    let at = this.typeStart;
    for (const id of ids) {
      const start = this.btf.recordOffset(id);
      chunks.push(this.bytes.subarray(at, start));
      const members = [...(this.edited.get(id) as Members)].sort(
        (x, y) => (x[2] & 0xffffff) - (y[2] & 0xffffff),
      );
      const record = new DataView(new ArrayBuffer(12 + 12 * members.length));
      record.setUint32(0, this.view.getUint32(start, true), true);
      record.setUint32(4, packInfo(Kind.STRUCT, members.length, this.btf.kindFlag(id)), true);
      record.setUint32(8, this.btf.size(id), true);
      members.forEach(([nameOff, type, offset], i) => {
        record.setUint32(12 + 12 * i, nameOff < 0 ? (extraOffsets[-nameOff - 1] as number) : nameOff, true);
        record.setUint32(16 + 12 * i, type, true);
        record.setUint32(20 + 12 * i, offset, true);
      });
      chunks.push(new Uint8Array(record.buffer));
      at = start + 12 + 12 * this.btf.vlen(id);
    }
    chunks.push(this.bytes.subarray(at, this.strStart));
    const typeLen = chunks.reduce((n, c) => n + c.length, 0);
    const header = new DataView(new ArrayBuffer(BTF_HEADER_LEN));
    writeBtfHeader(header, { typeLen, strLen }, true);
    return Buffer.concat([
      new Uint8Array(header.buffer),
      ...chunks,
      this.bytes.subarray(this.strStart),
      ...strings,
    ]);
  }
}

/** Real kernel BTFs per arch and flavour (`generic` required) that the series start from. */
export type ScaleBases = Record<
  Series['arch'],
  Partial<Record<Series['flavour'], string>> & { generic: string }
>;

/** The sample snapshot's 6.1 kernels as bases (generic, cloud and rt on x86_64; arm64), from the repo root. */
export function sampleBases(root = process.cwd()): ScaleBases {
  const at = (arch: string, release: string) =>
    join(root, 'sample-snapshot/debian/12', arch, `${release}.btf.tar.xz`);
  return {
    x86_64: {
      generic: at('x86_64', '6.1.0-54-amd64'),
      cloud: at('x86_64', '6.1.0-54-cloud-amd64'),
      rt: at('x86_64', '6.1.0-54-rt-amd64'),
    },
    arm64: { generic: at('arm64', '6.1.0-50-arm64') },
  };
}

/** A kernel of the generated archive. */
export interface ScaleKernel {
  /** `distro/version/arch/release`. */
  id: string;
  /** `distro/version/arch/flavour`: kernels of one series share a base kernel and its drift. */
  series: string;
  /** The drift steps its series has taken up to this release. */
  drift: string[];
}

/** Options of {@link writeScaleSnapshot}. */
export interface ScaleSnapshotOptions {
  /** Output directory (BTFHub layout, raw `.btf` files). */
  out: string;
  /** About how many kernels. */
  kernels: number;
  /**
   * Real kernel BTFs (`.btf` or `.btf.tar.xz`) per arch and flavour to start the series from; default
   * {@link sampleBases}.
   */
  bases?: ScaleBases;
  /** Seed of the drift (default 1). */
  seed?: number;
  /** Chance that a release changes a layout (default 0.2). */
  driftRate?: number;
}

/** Write a BTFHub-layout snapshot of about `kernels` drifted real kernels; returns what was written. */
export async function writeScaleSnapshot(opts: ScaleSnapshotOptions): Promise<ScaleKernel[]> {
  const rand = prng(opts.seed ?? 1);
  const rate = opts.driftRate ?? 0.2;
  const bases = opts.bases ?? sampleBases();
  const loaded = new Map<string, Uint8Array>();
  for (const path of Object.values(bases).flatMap((b) => Object.values(b))) {
    if (path && !loaded.has(path)) loaded.set(path, await readKernelBtf(path));
  }
  const written: ScaleKernel[] = [];
  for (const series of archiveSeries(opts.kernels)) {
    const base = bases[series.arch];
    const kernel = new DriftingKernel(loaded.get(base[series.flavour] ?? base.generic) as Uint8Array);
    const drift: string[] = [];
    const dir = join(opts.out, series.distro, series.version, series.arch);
    mkdirSync(dir, { recursive: true });
    series.releases.forEach((release, i) => {
      if (i > 0 && rand() < rate) {
        drift.push(kernel.drift(rand));
        if (rand() < 0.3) drift.push(kernel.drift(rand));
      }
      writeFileSync(join(dir, `${release}.btf`), kernel.write(`btf-bundle scale snapshot: ${release}`));
      written.push({
        id: `${series.distro}/${series.version}/${series.arch}/${release}`,
        series: `${series.distro}/${series.version}/${series.arch}/${series.flavour}`,
        drift: [...drift],
      });
    });
  }
  return written;
}
