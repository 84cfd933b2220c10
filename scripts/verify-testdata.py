#!/usr/bin/env python3
"""Run `bpftool gen min_core_btf` on every (objects, target) pair of the test corpus, check the
outcome against the expectation written here, and (re)write packages/core/testdata/manifest.json.

Usage: scripts/verify-testdata.py [--check]   (--check: verify only, don't write the manifest)

The expectations (ok / error + message substring / crash) are the source of truth; the observed
output size and SHA-256 of each successful run are recorded so tests can compare byte for byte
against bpftool v7.1 (libbpf 1.1). Exits 1 if any pair behaves differently than expected.
"""
import glob
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TD = "packages/core/testdata"
spec = importlib.util.spec_from_file_location("dcr", os.path.join(ROOT, "scripts/dump-core-relos.py"))
dcr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dcr)

KERNELS = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "sample-snapshot/debian/12/*/*.btf.tar.xz")))
X86 = [k for k in KERNELS if "/x86_64/" in k]

OK = {"outcome": "ok"}


def err(msg):
    return {"outcome": "error", "message": msg}


T = lambda n: f"{TD}/targets/{n}"

# real-world object -> what it covers
REAL_COVERS = {
    "execsnoop": ["pointers: chains task->mm->exe_file->f_path.dentry->d_name.name", "bitfields: task_struct.in_execve (kind_flag struct)",
                  "type-based: TYPE_ID_TARGET (4.12 #12 warning), TYPE_SIZE, TYPE_EXISTS", "missing things: in_execve gone in 6.12 (FIELD_EXISTS guard)"],
    "opensnoop": ["flavors: task_struct___o/___x, __state vs state", "TYPE_MATCHES on trace_event_raw_sys_enter", "objects: non-autoload program (SEC(\"?tracepoint/...\"))"],
    "tcpstates": ["anonymous members: sock_common fields in anonymous unions/structs", "bitfields: skc_reuse:4, skc_ipv6only:1",
                  "bitfields: plain u16 sk_protocol through BPF_CORE_READ_BITFIELD_PROBED", "enums: ENUMVAL_VALUE / ENUMVAL_EXISTS on kernel enums"],
    "biolatency": ["flavors: request___old.rq_disk (missing everywhere: FIELD_EXISTS 0)", "missing things: block_device.bd_partno gone in 6.12",
                   "enums: req_op values", "TYPE_MATCHES on a trimmed tracepoint struct flavor"],
}

# object -> (source, arch, endian, covers, [(target, expected, bug)])
CASES = {}
for name, covers in REAL_COVERS.items():
    CASES[f"{name}.bpf.o"] = (f"{TD}/src/real/{name}.bpf.c", "x86_64 vmlinux.h (arch-neutral source)", "little", covers, [(k, OK, None) for k in KERNELS])
CASES["opensnoop_x86_bpfel.o"] = (f"{TD}/src/real/opensnoop.bpf.c", "x86_64 (bpf2go naming)", "little", ["objects: bpf2go-style per-arch object"], [(k, OK, None) for k in KERNELS])
CASES["opensnoop_arm64_bpfel.o"] = (f"{TD}/src/real/opensnoop.bpf.c", "arm64 vmlinux.h (bpf2go naming)", "little", ["objects: bpf2go-style per-arch object"], [(k, OK, None) for k in KERNELS])
CASES["execsnoop_arm64_bpfel.o"] = (f"{TD}/src/real/execsnoop.bpf.c", "arm64 vmlinux.h (bpf2go naming)", "little", ["objects: bpf2go-style per-arch object"], [(k, OK, None) for k in KERNELS])
# bpftool 7.1 / libbpf 1.1 reads byte-swapped .BTF but not byte-swapped .BTF.ext ("BTF.ext header
# not found"; swapped .BTF.ext support came in libbpf 1.5): every big-endian object fails there.
BE_ERR = {"outcome": "error", "message": "failed to parse BPF object",
          "note": "bpftool 7.1/libbpf 1.1 cannot read a byte-swapped .BTF.ext; libbpf >= 1.5 can, and the TS port must"}
CASES["opensnoop_bpfeb.bpf.o"] = (f"{TD}/src/real/opensnoop.bpf.c", "x86_64 vmlinux.h", "big", ["objects: big-endian (bpfeb) object against little-endian kernels"], [(k, BE_ERR, None) for k in KERNELS])

E = lambda n: f"{TD}/src/edge/{n}.bpf.c"
EDGE = [
    ("flavors", ["flavors: two local flavors of one target struct", "flavors: target with a ___ name", "flavors: four underscores (no flavor)",
                 "flavors: enumerator flavors", "flavors: member-name flavors (field: not stripped; TYPE_MATCHES: stripped)"],
     [(T("flavors.o"), OK, None)]),
    ("candidates", ["candidates: zero candidates (poison / 0, nothing marked)", "candidates: two identical duplicate structs (no ambiguity)",
                    "candidates: TYPE_EXISTS/SIZE with two compatible candidates", "candidates: local TYPEDEF root vs target TYPEDEF",
                    "candidates: ENUM local vs ENUM64 target and vice versa"],
     [(T("candidates.o"), OK, None)]),
    ("bug6_first_candidate", ["candidates: A matches both duplicates, B only the second"], [(T("candidates.o"), OK, "#6")]),
    ("err_ambiguity", ["candidates: duplicates with different offsets (ambiguity error)"], [(T("candidates.o"), err("field offset ambiguity"), None)]),
    ("err_type_id_ambiguity", ["candidates: TYPE_ID_TARGET with two compatible candidates (always ambiguity)"],
     [(T("candidates.o"), err("relocation decision ambiguity"), None)]),
    ("anon", ["anonymous members: field inside anonymous struct inside anonymous union", "anonymous members: field moved into / out of an anonymous member",
              "anonymous members: unnamed bitfield padding members"], [(T("anon.o"), OK, None)]),
    ("err_anon_root", ["anonymous members: anonymous local root type (error)"], [(T("anon.o"), err("relocation doesn't support anonymous types"), None)]),
    ("arrays", ["arrays: s->arr[2].x", "arrays: multi-dimensional", "arrays: out-of-bounds index (no match)", "arrays: flexible array as last member",
                "arrays: pointer used as array (raw[0] = 3)", "arrays: array element BYTE_OFFSET memory size / BYTE_SIZE"], [(T("arrays.o"), OK, None)]),
    ("bug7_flex_array", ["arrays: zero-length array not last"], [(T("arrays.o"), OK, "#7")]),
    ("err_array_signed", ["arrays: SIGNED on an array element (error)"], [(T("arrays.o"), err("can't be applied to array access"), None)]),
    ("bitfields", ["bitfields: kind_flag structs", "bitfields: grows/moves", "bitfields: straddles a u32 (load size doubling)",
                   "bitfields: signed vs unsigned", "bitfields: enum-typed", "bitfields: plain int through BPF_CORE_READ_BITFIELD"],
     [(T("bitfields.o"), OK, None), (T("bitfields_bpfeb.o"), OK, None), (T("bitfields_bpfeb.btf"), OK, None)]),
    ("err_bitfield_e2big", ["bitfields: cannot be read with one u64 load (E2BIG)"], [(T("bitfields.o"), err("can't be satisfied for bitfield"), None)]),
    ("bug10_legacy_bitfield", ["bitfields: legacy kind_flag=0 struct with unaligned member"],
     [(T("legacy_bitfield.btf"), err("error generating BTF: Invalid argument"), "#10")]),
    ("enums", ["enums: ENUMVAL_EXISTS/VALUE on named and anonymous-typedef'd enums", "enums: negative 32-bit values", "enums: ENUM64 unsigned > 2^32 and signed negative",
               "enums: enumerator missing (poison / 0)", "enums: enum kept whole"], [(T("enums.o"), OK, None), (T("enums_bpfeb.o"), OK, None)]),
    ("typebased", ["type-based: TYPE_EXISTS/SIZE on struct, union, enum, typedefs of struct / anonymous struct / pointer to struct / void * / function pointer / array / int",
                   "modifiers: const volatile typedef root", "type-based: TYPE_ID_TARGET (unique) and TYPE_ID_LOCAL", "missing things: missing struct (TYPE_EXISTS 0)"],
     [(T("typebased.o"), OK, None)]),
    ("err_fwd_pointee", ["modifiers: FWD pointee for type-based relocations"], [(T("typebased.o"), err("unsupported kind: fwd"), "#5")]),
    ("bug9_pointer_size", ["type-based: TYPE_SIZE of a pointer typedef without a long INT in the output", "pointers: BYTE_SIZE of a pointer field"],
     [(T("ptrsize32.btf"), OK, "#9"), (T("typebased.o"), OK, None)]),
    ("typematches", ["TYPE_MATCHES: struct with all member kinds", "TYPE_MATCHES: pointer members (pointee kept as shell)", "TYPE_MATCHES: FWD in the target behind a pointer",
                     "TYPE_MATCHES: FLOAT member (no match)", "TYPE_MATCHES: enums with extra target enumerators", "TYPE_MATCHES: INT size/sign mismatch"],
     [(T("typematches.o"), OK, None)]),
    ("bug8_match_recursion", ["TYPE_MATCHES: function pointer member whose prototype takes the struct by value"],
     [(T("typematches.o"), {"outcome": "crash", "message": "SIGSEGV (stack overflow in btfgen_mark_type_match)"}, "#8")]),
    ("typetag_field", ["modifiers: TYPE_TAG chain (PTR -> TYPE_TAG -> STRUCT) in field relocations"], [(T("typetag.o"), OK, None)]),
    ("err_typetag_type", ["modifiers: TYPE_TAG chain in type-based relocations"], [(T("typetag.o"), err("unsupported kind: type_tag"), "#5")]),
    ("err_typetag_match", ["modifiers: TYPE_TAG chain in TYPE_MATCHES relocations"], [(T("typetag.o"), err("unsupported kind: type_tag"), "#5")]),
    ("modifiers", ["modifiers: const/volatile/restrict chains around members and roots", "pointers: pointer field whose pointee becomes void",
                   "pointers: pointer chain, one relocation per hop", "missing things: missing field (poison; FIELD_EXISTS 0)", "missing things: missing struct",
                   "missing things: field with incompatible type (int vs struct)", "missing things: struct vs union mixup (compatible for fields)"],
     [(T("modifiers.o"), OK, None)]),
    ("link_a", ["objects: several objects sharing types"], [(T("objects.o"), OK, None)]),
    ("link_b", ["objects: several objects sharing types"], [(T("objects.o"), OK, None)]),
    ("weak_a", ["objects: a weak subprogram (input of weak_linked)"], [(T("objects.o"), OK, None)]),
    ("weak_b", ["objects: a weak subprogram (input of weak_linked)"], [(T("objects.o"), OK, None)]),
    ("funcinfo_only", ["objects: .BTF.ext with only func/line info", "outputs: empty output (25 bytes)"], [(T("objects.o"), OK, None)]),
    ("type_id_local_only", ["objects: only TYPE_ID_LOCAL relocations", "outputs: empty output (25 bytes)"], [(T("objects.o"), OK, None)]),
]
for name, covers, pairs in EDGE:
    CASES[f"{name}.bpf.o"] = (E(name), "any", "little", covers, pairs)
CASES["bitfields_bpfeb.bpf.o"] = (E("bitfields"), "any", "big", ["objects: big-endian (bpfeb) objects", "bitfields: LSHIFT_U64 depends on the loader's byte order"],
                                  [(T("bitfields.o"), BE_ERR, None), (T("bitfields_bpfeb.o"), BE_ERR, None), (T("bitfields_bpfeb.btf"), BE_ERR, None)])
CASES["enums_bpfeb.bpf.o"] = (E("enums"), "any", "big", ["objects: big-endian (bpfeb) objects"], [(T("enums.o"), BE_ERR, None), (T("enums_bpfeb.o"), BE_ERR, None)])
CASES["linked.bpf.o"] = ("bpftool gen object linked.bpf.o link_a.bpf.o link_b.bpf.o", "any", "little", ["objects: objects from bpftool gen object"],
                         [(T("objects.o"), OK, None)])
CASES["weak_linked.bpf.o"] = ("bpftool gen object weak_linked.bpf.o weak_a.bpf.o weak_b.bpf.o", "any", "little",
                              ["objects: a weak subprogram dropped by the linker, its CO-RE records kept (libbpf skips them)"],
                              [(T("objects.o"), OK, None)])
CASES["no_btf.bpf.o"] = (f"{TD}/src/special/no_btf.c", "any", "little", ["objects: object without .BTF or .BTF.ext (error)"],
                         [(T("objects.o"), err("failed to parse BPF object"), None)])

REAL4 = [f"{TD}/{n}.bpf.o" for n in ("execsnoop", "opensnoop", "tcpstates", "biolatency")]
MULTI = [
    ([f"{TD}/link_a.bpf.o", f"{TD}/link_b.bpf.o"], T("objects.o"), "objects: several objects sharing types; outputs: stable under object reordering"),
    ([f"{TD}/link_b.bpf.o", f"{TD}/link_a.bpf.o"], T("objects.o"), "objects: several objects sharing types; outputs: stable under object reordering"),
] + [(REAL4, k, "objects: several real objects in one run; outputs: dedup of identical outputs across kernels") for k in KERNELS] + [
    (list(reversed(REAL4)), k, "outputs: stable under object reordering") for k in (X86[0], KERNELS[-1])]


def materialize(target, tmp):
    if target.endswith(".tar.xz"):
        with tarfile.open(os.path.join(ROOT, target)) as tf:
            (m,) = tf.getmembers()
            out = os.path.join(tmp, m.name)
            if not os.path.exists(out):
                tf.extract(m, tmp)
            return out
    return os.path.join(ROOT, target)


def run(objects, target, tmp):
    out = os.path.join(tmp, "out.btf")
    if os.path.exists(out):
        os.unlink(out)
    cmd = ["bpftool", "gen", "min_core_btf", materialize(target, tmp), out] + [os.path.join(ROOT, o) for o in objects]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return {"outcome": "timeout"}
    if r.returncode < 0 or r.returncode in (134, 139):
        return {"outcome": "crash", "exit": r.returncode, "stderr": r.stderr.strip()}
    if r.returncode != 0:
        return {"outcome": "error", "exit": r.returncode, "stderr": r.stderr.strip()}
    data = open(out, "rb").read()
    return {"outcome": "ok", "outputBytes": len(data), "outputSha256": hashlib.sha256(data).hexdigest()}


def check(expected, got):
    if expected["outcome"] != got["outcome"]:
        return False
    if expected["outcome"] == "error":
        return expected["message"] in got.get("stderr", "")
    return True


def relo_summary(path):
    try:
        rs = dcr.relos(os.path.join(ROOT, path))
    except KeyError:
        return None
    kinds = {}
    for r in rs:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    return {"count": len(rs), "kinds": dict(sorted(kinds.items()))}


def main():
    only_check = "--check" in sys.argv
    failures = 0
    objects = []
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for obj, (source, arch, endian, covers, pairs) in CASES.items():
            path = f"{TD}/{obj}"
            entry = {"file": path, "source": source, "arch": arch, "endianness": endian, "covers": covers,
                     "relocations": relo_summary(path), "pairs": []}
            for target, expected, bug in pairs:
                got = run([path], target, tmp)
                ok = check(expected, got)
                failures += not ok
                exp = dict(expected)
                if got["outcome"] == "ok":
                    exp.update(outputBytes=got["outputBytes"], outputSha256=got["outputSha256"])
                pair = {"target": target, "expected": exp}
                if bug:
                    pair["bug"] = bug
                entry["pairs"].append(pair)
                print(f"{'ok  ' if ok else 'FAIL'} {obj} vs {target}: {got['outcome']} {got.get('stderr', '')[-160:]!r}" if not ok or got["outcome"] != "ok"
                      else f"ok   {obj} vs {target}: ok {got['outputBytes']} bytes")
            objects.append(entry)
        for objs, target, covers in MULTI:
            got = run(objs, target, tmp)
            ok = got["outcome"] == "ok"
            failures += not ok
            runs.append({"objects": objs, "target": target, "covers": covers,
                         "expected": {"outcome": "ok", "outputBytes": got.get("outputBytes"), "outputSha256": got.get("outputSha256")}})
            print(f"{'ok  ' if ok else 'FAIL'} multi {[os.path.basename(o) for o in objs]} vs {target}: {got}")
    manifest = {
        "description": "BTFGen test corpus: objects, targets and the outcome of `bpftool gen min_core_btf TARGET OUT OBJECT...`. "
                       "Regenerate with scripts/verify-testdata.py (after scripts/build-testdata.sh).",
        "oracle": subprocess.run(["bpftool", "version"], capture_output=True, text=True).stdout.splitlines()[0:2],
        "kernels": KERNELS,
        "objects": objects,
        "multiObjectRuns": runs,
    }
    if not only_check:
        with open(os.path.join(ROOT, TD, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
    print(f"{failures} unexpected outcome(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
