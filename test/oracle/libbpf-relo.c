// SPDX-License-Identifier: Apache-2.0
/*
 * libbpf-relo: run libbpf's own CO-RE relocation of a BPF object against a
 * given (full or reduced) kernel BTF and report, per relocation, what libbpf
 * did. It is the test oracle for btf-bundle's minimizer: a reduced BTF is
 * correct iff this tool prints the same results for it as for the full BTF.
 *
 * Build: gcc -O2 -Wall -Wextra -o libbpf-relo libbpf-relo.c -lbpf -lelf -lz
 * Usage: libbpf-relo OBJECT BTF [--only PROG] [--log FILE]
 *        libbpf-relo --probe          (exit 0 iff bpf() can load programs)
 *
 * How: the object is opened with btf_custom_path = BTF; every map has
 * auto-create disabled (libbpf 1.1 creates maps before relocating), every
 * program is force-autoloaded (libbpf skips the relocations of programs that
 * are not loaded, e.g. SEC("?...")) or, with --only, only PROG is, and every
 * program type is set to BPF_PROG_TYPE_UNSPEC so that bpf_object__load()
 * fails fast right after the relocation step. libbpf's debug log (all levels)
 * is captured and parsed (see parse_log_line()).
 *
 * Output: one JSON object per line. First one line per CO-RE relocation
 * record of the object's .BTF.ext, in file order (groups in order, records in
 * order), whether or not libbpf processed it:
 *   {"record":"relo","section":S,"reloIndex":I,"insnIndex":N,"program":P,
 *    "kind":K,"kindName":KN,"typeId":T,"access":A,"spec":SPEC,
 *    "outcome":"value"|"poison"|"error"|"skipped", ...}
 * with, per outcome:
 *   value:   "patch":"alu"|"ldx"|"ldimm64", "old":"u64", "value":"u64"
 *            (decimal strings), optional "memSize":{"old":u,"new":u};
 *            for target_type_id also "target":{"kind":KIND,"name":NAME}|null
 *   poison:  "reason":"no-match"|"memsz-adjust"
 *   error:   "errno":E (positive), "message":LAST LOG LINE OF THE RELOCATION
 *   skipped: "reason":"not-loaded"|"weak-eliminated"|"aborted"
 * `reloIndex` is libbpf's "relo #N": the index of the record inside its
 * .BTF.ext group (one group per ELF section), `insnIndex` the instruction
 * index inside that section (insn_off / 8), `program` the program (or .text
 * subprogram) containing it, found through the ELF symbol table. Then one
 * summary line:
 *   {"record":"object","relocated":bool,"loadError":E,"message":M[,"problem":P]}
 * where P says why the .BTF.ext records could not be listed (malformed input).
 * Exit status: 0 when the run completed (whatever libbpf decided), 2 on usage
 * or I/O problems.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* ---------------------------------------------------------------- utils -- */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("libbpf-relo: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		die("out of memory");
	return p;
}

/* Print s as a JSON string literal. */
static void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* ------------------------------------------------------- log capturing -- */

static char *log_buf;
static size_t log_len, log_cap;

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	(void)level;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return 0;
	if (log_len + n + 1 > log_cap) {
		log_cap = (log_len + n + 1) * 2;
		log_buf = realloc(log_buf, log_cap);
		if (!log_buf)
			die("out of memory");
	}
	vsnprintf(log_buf + log_len, n + 1, fmt, ap);
	log_len += n;
	return n;
}

/* --------------------------------------------- .BTF.ext CO-RE records -- */

static const char *const kind_names[] = {
	"FIELD_BYTE_OFFSET", "FIELD_BYTE_SIZE", "FIELD_EXISTS",	  "FIELD_SIGNED",   "FIELD_LSHIFT_U64",
	"FIELD_RSHIFT_U64",  "TYPE_ID_LOCAL",	"TYPE_ID_TARGET", "TYPE_EXISTS",    "TYPE_SIZE",
	"ENUMVAL_EXISTS",    "ENUMVAL_VALUE",	"TYPE_MATCHES",
};

enum outcome { OUT_SKIPPED, OUT_VALUE, OUT_POISON, OUT_ERROR };

struct relo {
	char *section;
	int relo_idx;
	unsigned int insn_idx;
	char *program;
	unsigned int kind;
	unsigned int type_id;
	char *access;
	/* filled from the log */
	bool seen;
	char *log_prog;
	char *spec;
	enum outcome outcome;
	const char *reason;
	const char *patch;
	unsigned long long old_val, new_val;
	bool has_mem_size;
	unsigned int old_mem_size, new_mem_size;
	bool memsz_fail;
	int err;
	char *message;
};

static struct relo *relos;
static size_t relo_cnt;
/* why the object's CO-RE records could not be listed, if they could not */
static const char *relo_problem;

struct func_sym {
	char *section;
	char *name;
	unsigned long long start, end; /* byte offsets inside the section */
};

static struct func_sym *funcs;
static size_t func_cnt;
static uint8_t *btf_ext_raw;
static size_t btf_ext_size;

/* Read the FUNC symbols of the object (program and subprogram extents) and a
 * copy of its .BTF.ext section. */
static void read_elf(const char *path)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		die("libelf init failed");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		die("%s: not an ELF file", path);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		const char *secname;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		secname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (secname && !strcmp(secname, ".BTF.ext") && sh.sh_type != SHT_NOBITS) {
			data = elf_getdata(scn, NULL);
			if (data && data->d_buf) {
				btf_ext_raw = xcalloc(data->d_size, 1);
				memcpy(btf_ext_raw, data->d_buf, data->d_size);
				btf_ext_size = data->d_size;
			}
			continue;
		}
		if (sh.sh_type != SHT_SYMTAB || !sh.sh_entsize || funcs)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		funcs = xcalloc(n, sizeof(*funcs));
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			GElf_Shdr tsh;
			Elf_Scn *tscn;
			const char *name, *sname;

			if (!gelf_getsym(data, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			tscn = elf_getscn(elf, sym.st_shndx);
			if (!tscn || !gelf_getshdr(tscn, &tsh))
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			sname = elf_strptr(elf, shstrndx, tsh.sh_name);
			if (!name || !sname)
				continue;
			funcs[func_cnt].section = xstrdup(sname);
			funcs[func_cnt].name = xstrdup(name);
			funcs[func_cnt].start = sym.st_value;
			funcs[func_cnt].end = sym.st_value + sym.st_size;
			func_cnt++;
		}
	}
	elf_end(elf);
	close(fd);
}

static const char *program_at(const char *section, unsigned long long off)
{
	size_t i;

	for (i = 0; i < func_cnt; i++)
		if (!strcmp(funcs[i].section, section) && off >= funcs[i].start &&
		    off < funcs[i].end)
			return funcs[i].name;
	return NULL;
}

/*
 * Read every core_relo record of the object's .BTF.ext, in file order.
 * Header: magic u16, version u8, flags u8, hdr_len u32, func_info off/len,
 * line_info off/len, core_relo off/len (present when hdr_len >= 32). Only
 * host-endian data is handled (libbpf 1.1 cannot load anything else).
 */
static void read_core_relos(const char *path)
{
	uint32_t hdr_len, off, len, rec_size;
	const uint8_t *p, *end;
	struct btf *btf;
	size_t cap = 0;

	uint16_t magic;

	if (btf_ext_size < 32)
		return;
	memcpy(&magic, btf_ext_raw, 2);
	if (magic != 0xeb9f) {
		relo_problem = ".BTF.ext is not in host byte order";
		return;
	}
	btf = btf__parse_elf(path, NULL);
	if (!btf) {
		relo_problem = "cannot parse the object's .BTF";
		return;
	}
	memcpy(&hdr_len, btf_ext_raw + 4, 4);
	if (hdr_len < 32 || hdr_len > btf_ext_size)
		goto out;
	memcpy(&off, btf_ext_raw + 24, 4);
	memcpy(&len, btf_ext_raw + 28, 4);
	if (!len)
		goto out;
	if (len < 4 || (uint64_t)hdr_len + off + len > btf_ext_size) {
		relo_problem = ".BTF.ext core_relo subsection out of bounds";
		goto out;
	}
	p = btf_ext_raw + hdr_len + off;
	end = p + len;
	memcpy(&rec_size, p, 4);
	if (rec_size < 16 || rec_size % 4) {
		relo_problem = ".BTF.ext core_relo record size invalid";
		goto out;
	}
	p += 4;
	while (p + 8 <= end) {
		uint32_t sec_off, num, i;
		const char *sec;

		memcpy(&sec_off, p, 4);
		memcpy(&num, p + 4, 4);
		p += 8;
		sec = btf__name_by_offset(btf, sec_off);
		for (i = 0; i < num && p + rec_size <= end; i++, p += rec_size) {
			uint32_t f[4];
			struct relo *r;

			memcpy(f, p, sizeof(f));
			if (relo_cnt == cap) {
				cap = cap ? cap * 2 : 64;
				relos = realloc(relos, cap * sizeof(*relos));
				if (!relos)
					die("out of memory");
			}
			r = &relos[relo_cnt++];
			memset(r, 0, sizeof(*r));
			r->section = xstrdup(sec);
			r->relo_idx = (int)i;
			r->insn_idx = f[0] / 8;
			r->program = program_at(r->section, f[0]) ? xstrdup(program_at(r->section, f[0])) : NULL;
			r->type_id = f[1];
			r->access = xstrdup(btf__name_by_offset(btf, f[2]));
			r->kind = f[3];
			r->outcome = OUT_SKIPPED;
			r->reason = "aborted";
		}
	}
out:
	btf__free(btf);
}

static struct relo *find_relo(const char *section, int idx)
{
	size_t i;

	if (!section)
		return NULL;
	for (i = 0; i < relo_cnt; i++)
		if (relos[i].relo_idx == idx && !strcmp(relos[i].section, section))
			return &relos[i];
	return NULL;
}

/* ------------------------------------------------------- log parsing -- */

/*
 * The libbpf 1.1 lines interpreted here (all prefixed "libbpf: "):
 *   sec '%s': found %d CO-RE relocations             (starts a .BTF.ext group)
 *   sec '%s': skipping CO-RE relocation #%d for insn #%d belonging to eliminated weak subprogram
 *   prog '%s': relo #%d: <kind> [id] ...             (local spec, bpf_core_format_spec)
 *   prog '%s': relo #%d: patched insn #%d (ALU/ALU64) imm %llu -> %llu
 *   prog '%s': relo #%d: patched insn #%d (LDX/ST/STX) off %llu -> %llu
 *   prog '%s': relo #%d: patched insn #%d (LDX/ST/STX) mem_sz %u -> %u
 *   prog '%s': relo #%d: patched insn #%d (LDIMM64) imm64 %llu -> %llu
 *   prog '%s': relo #%d: substituting insn #%d w/ invalid insn
 *   prog '%s': relo #%d: insn #%d (LDX/ST/STX) accesses field incorrectly. ...
 *   prog '%s': relo #%d: failed to relocate: %d
 *   prog '%s': relo #%d: failed to patch insn #%u: %d
 *   prog '%s': relo #%d: <other diagnostic>          (last one kept as the error message)
 *   failed to perform CO-RE relocations: %d          (ends the phase, failed)
 * "matching candidate", "non-matching candidate", "no matching targets found"
 * and "CO-RE relocating [..]: found target candidate" lines are part of the
 * phase but carry nothing the outcome needs. The phase ends successfully at
 * the first line of any other shape after a group started (libbpf continues
 * with call and data relocation, which print e.g. "relo #%d: poisoning insn
 * #%d that loads map" with unrelated relo numbers).
 */
static char *cur_sec;
static bool core_done;
static bool core_failed;

static bool is_core_phase_line(const char *line)
{
	return !*line || line[0] == ' ' || !strncmp(line, "sec '", 5) ||
	       !strncmp(line, "CO-RE relocating ", 17) || !strncmp(line, "unexpected kind ", 16) ||
	       (!strncmp(line, "prog '", 6) && strstr(line, "': relo ") && !strstr(line, "that loads map"));
}

static void parse_log_line(char *line)
{
	char name[512], rest[2048];
	unsigned long long a, b;
	int idx, insn, err;
	struct relo *r;
	char *body;

	if (strncmp(line, "libbpf: ", 8))
		return;
	line += 8;
	if (core_done)
		return;
	if (sscanf(line, "failed to perform CO-RE relocations: %d", &err) == 1) {
		core_failed = true;
		core_done = true;
		return;
	}
	if (sscanf(line, "sec '%511[^']': found %d CO-RE relocations", name, &idx) == 2) {
		free(cur_sec);
		cur_sec = xstrdup(name);
		return;
	}
	if (!cur_sec)
		return;
	if (!is_core_phase_line(line)) {
		core_done = true;
		return;
	}
	if (sscanf(line, "sec '%511[^']': skipping CO-RE relocation #%d", name, &idx) == 2) {
		r = find_relo(name, idx);
		if (r) {
			r->seen = true;
			r->outcome = OUT_SKIPPED;
			r->reason = "weak-eliminated";
		}
		return;
	}
	if (sscanf(line, "prog '%511[^']': relo #%d: %2047[^\n]", name, &idx, rest) != 3)
		return;
	body = rest;
	r = find_relo(cur_sec, idx);
	if (!r)
		return;
	if (!r->seen) {
		r->seen = true;
		r->log_prog = xstrdup(name);
		r->outcome = OUT_VALUE;
		r->reason = NULL;
	}
	if (body[0] == '<' && !r->spec) {
		r->spec = xstrdup(body);
	} else if (sscanf(body, "patched insn #%d (ALU/ALU64) imm %llu -> %llu", &insn, &a, &b) == 3) {
		r->patch = "alu", r->old_val = a, r->new_val = b;
	} else if (sscanf(body, "patched insn #%d (LDX/ST/STX) off %llu -> %llu", &insn, &a, &b) == 3) {
		r->patch = "ldx", r->old_val = a, r->new_val = b;
	} else if (sscanf(body, "patched insn #%d (LDX/ST/STX) mem_sz %llu -> %llu", &insn, &a, &b) == 3) {
		r->has_mem_size = true, r->old_mem_size = (unsigned int)a, r->new_mem_size = (unsigned int)b;
	} else if (sscanf(body, "patched insn #%d (LDIMM64) imm64 %llu -> %llu", &insn, &a, &b) == 3) {
		r->patch = "ldimm64", r->old_val = a, r->new_val = b;
	} else if (strstr(body, "substituting insn #") && strstr(body, "w/ invalid insn")) {
		if (r->outcome != OUT_ERROR) {
			r->outcome = OUT_POISON;
			r->reason = r->memsz_fail ? "memsz-adjust" : "no-match";
		}
	} else if (strstr(body, "accesses field incorrectly")) {
		r->memsz_fail = true;
	} else if (sscanf(body, "failed to relocate: %d", &err) == 1 ||
		   sscanf(body, "failed to patch insn #%d: %d", &insn, &err) == 2) {
		r->outcome = OUT_ERROR;
		r->err = err < 0 ? -err : err;
		r->reason = NULL;
		if (!r->message)
			r->message = xstrdup(body);
	} else if (strncmp(body, "matching candidate #", 20) && strncmp(body, "non-matching candidate #", 24) &&
		   strcmp(body, "no matching targets found")) {
		free(r->message);
		r->message = xstrdup(body);
	}
}

static void parse_log(void)
{
	char *line, *save = NULL;

	if (!log_buf)
		return;
	for (line = strtok_r(log_buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_log_line(line);
}

/* -------------------------------------------------------------- output -- */

static void print_target(const struct btf *targ, unsigned long long id)
{
	const struct btf_type *t;
	const char *kinds[] = { "unkn",	 "int",	  "ptr",      "array", "struct",   "union", "enum",
				"fwd",	 "typedef", "volatile", "const", "restrict", "func",  "func_proto",
				"var",	 "datasec", "float",    "decl_tag", "type_tag", "enum64" };

	if (!targ || !id || id >= btf__type_cnt(targ) || !(t = btf__type_by_id(targ, (__u32)id))) {
		fputs(",\"target\":null", stdout);
		return;
	}
	printf(",\"target\":{\"kind\":");
	json_str(btf_kind(t) < sizeof(kinds) / sizeof(kinds[0]) ? kinds[btf_kind(t)] : "unknown");
	printf(",\"name\":");
	json_str(btf__name_by_offset(targ, t->name_off));
	putchar('}');
}

static void print_relo(const struct relo *r, const struct btf *targ)
{
	static const char *const outcomes[] = { "skipped", "value", "poison", "error" };

	printf("{\"record\":\"relo\",\"section\":");
	json_str(r->section);
	printf(",\"reloIndex\":%d,\"insnIndex\":%u,\"program\":", r->relo_idx, r->insn_idx);
	json_str(r->log_prog ? r->log_prog : r->program);
	printf(",\"kind\":%u,\"kindName\":", r->kind);
	json_str(r->kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[r->kind] : "UNKNOWN");
	printf(",\"typeId\":%u,\"access\":", r->type_id);
	json_str(r->access);
	printf(",\"spec\":");
	json_str(r->spec);
	printf(",\"outcome\":\"%s\"", outcomes[r->outcome]);
	switch (r->outcome) {
	case OUT_VALUE:
		printf(",\"patch\":");
		json_str(r->patch);
		printf(",\"old\":\"%llu\",\"value\":\"%llu\"", r->old_val, r->new_val);
		if (r->has_mem_size)
			printf(",\"memSize\":{\"old\":%u,\"new\":%u}", r->old_mem_size, r->new_mem_size);
		if (r->kind == 7)
			print_target(targ, r->new_val);
		break;
	case OUT_POISON:
	case OUT_SKIPPED:
		printf(",\"reason\":");
		json_str(r->reason);
		break;
	case OUT_ERROR:
		printf(",\"errno\":%d,\"message\":", r->err);
		json_str(r->message);
		break;
	}
	puts("}");
}

/* ---------------------------------------------------------------- main -- */

int main(int argc, char **argv)
{
	const char *obj_path = NULL, *btf_path = NULL, *only = NULL, *log_path = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	struct btf *targ;
	bool relocated;
	int i, err;
	size_t k;

	if (argc == 2 && !strcmp(argv[1], "--probe")) {
		/* r0 = 0; exit */
		const struct bpf_insn insns[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};

		libbpf_set_print(NULL);
		err = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", insns, 2, NULL);
		if (err >= 0)
			return close(err), 0;
		fprintf(stderr, "bpf(BPF_PROG_LOAD) of a trivial socket filter failed: %s\n", strerror(-err));
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			log_path = argv[++i];
		else if (!obj_path)
			obj_path = argv[i];
		else if (!btf_path)
			btf_path = argv[i];
		else
			die("usage: libbpf-relo OBJECT BTF [--only PROG] [--log FILE] | --probe");
	}
	if (!obj_path || !btf_path)
		die("usage: libbpf-relo OBJECT BTF [--only PROG] [--log FILE] | --probe");
	if (access(btf_path, R_OK))
		die("%s: %s", btf_path, strerror(errno));

	read_elf(obj_path);
	read_core_relos(obj_path);

	libbpf_set_print(capture_print);
	{
		LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);

		obj = bpf_object__open_file(obj_path, &opts);
	}
	if (!obj) {
		err = -errno;
		goto report;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_autocreate(map, false);
	bpf_object__for_each_program(prog, obj) {
		bpf_program__set_autoload(prog, !only || !strcmp(bpf_program__name(prog), only));
		bpf_program__set_type(prog, BPF_PROG_TYPE_UNSPEC);
	}
	err = bpf_object__load(obj);

report:
	libbpf_set_print(NULL);
	if (log_path) {
		FILE *f = fopen(log_path, "w");

		if (!f)
			die("%s: %s", log_path, strerror(errno));
		fwrite(log_buf ? log_buf : "", 1, log_len, f);
		fclose(f);
	}
	parse_log();
	bpf_object__close(obj);
	/* relocated: the CO-RE step ran to its end (trivially so without records) */
	relocated = obj && !core_failed && (relo_cnt == 0 || core_done);
	/* relocations never mentioned in the log: their program was not loaded,
	 * or the CO-RE step was aborted (or never reached) before them */
	for (k = 0; k < relo_cnt; k++) {
		struct relo *r = &relos[k];

		if (r->seen)
			continue;
		if (relocated || (only && (!r->program || strcmp(r->program, only))))
			r->reason = "not-loaded";
	}
	targ = btf__parse(btf_path, NULL);
	for (k = 0; k < relo_cnt; k++)
		print_relo(&relos[k], targ);
	btf__free(targ);
	printf("{\"record\":\"object\",\"relocated\":%s,\"loadError\":%d,\"message\":",
	       relocated ? "true" : "false", err < 0 ? -err : err);
	json_str(!obj		 ? "bpf_object__open_file failed"
		 : core_failed ? "failed to perform CO-RE relocations"
		 : !relocated  ? "load failed before CO-RE relocation"
			       : "relocated");
	if (relo_problem) {
		printf(",\"problem\":");
		json_str(relo_problem);
	}
	puts("}");
	return 0;
}
