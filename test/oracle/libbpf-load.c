// SPDX-License-Identifier: Apache-2.0
/*
 * libbpf-load: load a BPF object into the running kernel for real, with an optional btf_custom_path, and say
 * whether the verifier accepted it. It is what an application does with a BTF from btf-bundle:
 *
 *   libbpf-load OBJECT [BTF]
 *
 * Prints one JSON line: {"loaded":true,"programs":["name",...]} or
 * {"loaded":false,"errno":N,"log":"<libbpf and verifier output, last 4 KiB>"}. Needs root (or CAP_BPF).
 * Maps are created, program types and autoload flags are the object's own.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char log_buf[1 << 16];
static size_t log_len;

static int capture(enum libbpf_print_level level, const char *fmt, va_list args)
{
	int n;

	(void)level;
	if (log_len >= sizeof(log_buf) - 1)
		return 0;
	n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, args);
	if (n > 0)
		log_len += (size_t)n < sizeof(log_buf) - log_len ? (size_t)n : sizeof(log_buf) - log_len - 1;
	return 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	const char *tail;
	int err, first = 1;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: libbpf-load OBJECT [BTF]\n");
		return 2;
	}
	libbpf_set_print(capture);
	{
		LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argc == 3 ? argv[2] : NULL);

		obj = bpf_object__open_file(argv[1], &opts);
	}
	err = obj ? bpf_object__load(obj) : -errno;
	if (!err) {
		printf("{\"loaded\":true,\"programs\":[");
		bpf_object__for_each_program(prog, obj) {
			if (bpf_program__fd(prog) < 0)
				continue;
			printf("%s", first ? "" : ",");
			json_str(bpf_program__name(prog));
			first = 0;
		}
		printf("]}\n");
	} else {
		tail = log_len > 4096 ? log_buf + log_len - 4096 : log_buf;
		printf("{\"loaded\":false,\"errno\":%d,\"log\":", -err);
		json_str(tail);
		printf("}\n");
	}
	bpf_object__close(obj);
	return 0;
}
