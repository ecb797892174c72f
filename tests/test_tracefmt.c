/*
 * test_tracefmt.c - unit tests of the text forms of trace records
 * (trace_rec.h): the --json objects and their documented field names, JSON
 * string escaping, epoll mask names, and a few plain text lines.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>

#include "trace.h"
#include "trace_rec.h"
#include "util.h"

/* A record as a child would emit it. */
static void
rec(struct trace_rec *r, int type, uint32_t pid)
{
	trace_rec_init(r, type);
	r->pid = pid;
	r->seq = 17;
	r->ts_ns = 123456789012ull;
}

/* Format r as JSON and parse it back; fails the test on invalid JSON. */
static json_t *
to_json(const struct trace_rec *r)
{
	struct strbuf b;
	json_error_t e;
	json_t *j;

	sb_init(&b);
	trace_rec_json(&b, r);
	j = json_loads(b.s, JSON_REJECT_DUPLICATES, &e);
	cr_assert_not_null(j, "%s: invalid JSON (%s at column %d): %s", trace_rec_type_name(r->type),
			   e.text, e.column, b.s);
	cr_assert(json_is_object(j), "%s: not an object: %s", trace_rec_type_name(r->type), b.s);
	sb_free(&b);
	return j;
}

/* The integer field k of o; fails the test if absent. */
static json_int_t
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	cr_assert(json_is_integer(v), "field '%s' missing or not an integer", k);
	return json_integer_value(v);
}

/* The string field k of o; fails the test if absent. */
static const char *
jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	cr_assert(json_is_string(v), "field '%s' missing or not a string", k);
	return json_string_value(v);
}

/* Assert that field k of o is present and null. */
static void
jnull(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	cr_assert_not_null(v, "field '%s' missing", k);
	cr_assert(json_is_null(v), "field '%s' is not null", k);
}

/* Assert that field k of o is the boolean want. */
static void
jbool(json_t *o, const char *k, int want)
{
	json_t *v = json_object_get(o, k);

	cr_assert(json_is_boolean(v), "field '%s' missing or not a boolean", k);
	cr_assert_eq(json_is_true(v), want, "field '%s' is %s", k, json_is_true(v) ? "true" : "false");
}

/* Assert that arr is a JSON array of exactly the strings in want (NULL-ended). */
static void
jnames(json_t *arr, const char *const *want, const char *what)
{
	size_t n = 0;

	cr_assert(json_is_array(arr), "%s is not an array", what);
	while (want[n])
		n++;
	cr_assert_eq(json_array_size(arr), n, "%s has %zu names, want %zu", what,
		     json_array_size(arr), n);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);

		cr_assert(json_is_string(v), "%s[%zu] is not a string", what, i);
		cr_assert_str_eq(json_string_value(v), want[i], "%s[%zu] is '%s', want '%s'", what, i,
				 json_string_value(v), want[i]);
	}
}

/* ---- the common fields ------------------------------------------------ */

Test(tracefmt, every_type_is_valid_json_with_type_pid_seq_ts)
{
	for (int t = 1; t < TR__COUNT; t++) {
		struct trace_rec r;
		json_t *j;

		rec(&r, t, 4321);
		r.ret = -1;
		r.err = EPERM;
		trace_rec_set_text(&r, "some \"text\"");
		if (t == TR_WAIT_RETURN) {
			r.npairs = 1;
			r.pairs[0].events = EPOLLIN;
			r.pairs[0].data = 9;
		}
		j = to_json(&r);
		cr_assert_str_eq(jstr(j, "type"), trace_rec_type_name(t), "type of %d", t);
		cr_assert_eq(jint(j, "pid"), 4321, "%s: pid", trace_rec_type_name(t));
		cr_assert_eq(jint(j, "seq"), 17, "%s: seq", trace_rec_type_name(t));
		cr_assert_eq(jint(j, "ts_ns"), 123456789012, "%s: ts_ns", trace_rec_type_name(t));
		json_decref(j);
	}
}

Test(tracefmt, json_has_no_trailing_newline_and_appends)
{
	struct strbuf b;
	struct trace_rec r;

	sb_init(&b);
	sb_add(&b, "[");
	rec(&r, TR_READY, 1);
	trace_rec_json(&b, &r);
	sb_add(&b, ",");
	trace_rec_json(&b, &r);
	sb_add(&b, "]");
	cr_assert_null(strchr(b.s, '\n'), "newline in JSON output: %s", b.s);
	json_t *j = json_loads(b.s, 0, NULL);
	cr_assert(json_is_array(j) && json_array_size(j) == 2, "appended objects broken: %s", b.s);
	json_decref(j);
	sb_free(&b);
}

/* ---- per-type fields -------------------------------------------------- */

Test(tracefmt, epoll_ctl_has_event_names_and_errno_name)
{
	static const char *const in_et[] = { "EPOLLIN", "EPOLLET", NULL };
	struct trace_rec r;
	json_t *j;

	rec(&r, TR_EPOLL_CTL, 10);
	r.epfd = 5;
	r.op = EPOLL_CTL_ADD;
	r.fd = 3;
	r.events = EPOLLIN | EPOLLET;
	r.data = 3;
	r.ret = -1;
	r.err = EEXIST;
	j = to_json(&r);
	cr_assert_eq(jint(j, "epfd"), 5, "epfd");
	cr_assert_str_eq(jstr(j, "op"), "EPOLL_CTL_ADD", "op");
	cr_assert_eq(jint(j, "fd"), 3, "fd");
	jnames(json_object_get(j, "events"), in_et, "events");
	cr_assert_eq(jint(j, "data"), 3, "data");
	cr_assert_eq(jint(j, "ret"), -1, "ret");
	cr_assert_str_eq(jstr(j, "errno"), "EEXIST", "errno");
	json_decref(j);

	r.op = EPOLL_CTL_MOD;
	r.events = EPOLLOUT;
	r.ret = 0;
	r.err = 0;
	j = to_json(&r);
	cr_assert_str_eq(jstr(j, "op"), "EPOLL_CTL_MOD", "op");
	jnull(j, "errno");
	cr_assert_eq(jint(j, "ret"), 0, "ret");
	json_decref(j);
}

Test(tracefmt, epoll_ctl_data_prints_the_full_u64)
{
	struct strbuf b;
	struct trace_rec r;

	rec(&r, TR_EPOLL_CTL, 10);
	r.op = EPOLL_CTL_ADD;
	r.data = UINT64_MAX;
	sb_init(&b);
	trace_rec_json(&b, &r);
	cr_assert_not_null(strstr(b.s, "\"data\":18446744073709551615"), "u64 data mangled: %s", b.s);
	sb_free(&b);
}

Test(tracefmt, wait_return_lists_ready_events_and_data)
{
	static const char *const in[] = { "EPOLLIN", NULL };
	static const char *const in_hup[] = { "EPOLLIN", "EPOLLHUP", NULL };
	struct trace_rec r;
	json_t *j, *ready;

	rec(&r, TR_WAIT_RETURN, 11);
	r.epfd = 4;
	r.ret = 2;
	r.npairs = 2;
	r.pairs[0].events = EPOLLIN;
	r.pairs[0].data = 7;
	r.pairs[1].events = EPOLLHUP | EPOLLIN;
	r.pairs[1].data = (1ull << 40) | 8;
	j = to_json(&r);
	cr_assert_eq(jint(j, "epfd"), 4, "epfd");
	cr_assert_eq(jint(j, "ret"), 2, "ret");
	jnull(j, "errno");
	ready = json_object_get(j, "ready");
	cr_assert(json_is_array(ready) && json_array_size(ready) == 2, "ready is not 2 entries");
	jnames(json_object_get(json_array_get(ready, 0), "events"), in, "ready[0].events");
	cr_assert_eq(jint(json_array_get(ready, 0), "data"), 7, "ready[0].data");
	jnames(json_object_get(json_array_get(ready, 1), "events"), in_hup, "ready[1].events");
	cr_assert_eq(jint(json_array_get(ready, 1), "data"), (json_int_t)((1ull << 40) | 8),
		     "ready[1].data");
	json_decref(j);

	r.ret = -1;
	r.err = EINTR;
	r.npairs = 0;
	j = to_json(&r);
	ready = json_object_get(j, "ready");
	cr_assert(json_is_array(ready) && json_array_size(ready) == 0, "ready not empty on EINTR");
	cr_assert_str_eq(jstr(j, "errno"), "EINTR", "errno");
	json_decref(j);
}

Test(tracefmt, signal_has_names_and_si_kernel)
{
	struct trace_rec r;
	json_t *j;

	rec(&r, TR_SIGNAL, 12);
	r.signo = SIGINT;
	r.si_code = 0x80;
	r.sender = 0;
	j = to_json(&r);
	cr_assert_eq(jint(j, "signo"), SIGINT, "signo");
	cr_assert_str_eq(jstr(j, "signal"), "SIGINT", "signal");
	cr_assert_eq(jint(j, "si_code"), 0x80, "si_code");
	cr_assert_str_eq(jstr(j, "si_code_name"), "SI_KERNEL", "si_code_name of 0x80");
	cr_assert_eq(jint(j, "si_pid"), 0, "si_pid");
	jbool(j, "pending_at_exit", 0);
	json_decref(j);

	r.signo = SIGTERM;
	r.si_code = SI_USER;
	r.sender = 99;
	r.op = 1;
	j = to_json(&r);
	cr_assert_str_eq(jstr(j, "signal"), "SIGTERM", "signal");
	cr_assert_str_eq(jstr(j, "si_code_name"), "SI_USER", "si_code_name of SI_USER");
	cr_assert_eq(jint(j, "si_pid"), 99, "si_pid");
	jbool(j, "pending_at_exit", 1);
	json_decref(j);

	r.si_code = 12345;
	j = to_json(&r);
	jnull(j, "si_code_name");
	json_decref(j);
}

Test(tracefmt, other_representative_records)
{
	struct trace_rec r;
	json_t *j;

	rec(&r, TR_PROC_START, 20);
	r.op = ROLE_ECHO_WORKER;
	r.ppid = 19;
	r.pgid = 18;
	r.sid = 17;
	r.version = 1;
	trace_rec_set_text(&r, "echo-w1");
	j = to_json(&r);
	cr_assert_str_eq(jstr(j, "role"), "echo-worker", "role");
	cr_assert_str_eq(jstr(j, "name"), "echo-w1", "name");
	cr_assert_eq(jint(j, "ppid"), 19, "ppid");
	cr_assert_eq(jint(j, "pgid"), 18, "pgid");
	cr_assert_eq(jint(j, "sid"), 17, "sid");
	json_decref(j);

	rec(&r, TR_REAP, 19);
	r.child = 20;
	r.op = REAP_KILLED;
	r.arg = SIGKILL;
	j = to_json(&r);
	cr_assert_eq(jint(j, "child"), 20, "child");
	cr_assert_str_eq(jstr(j, "how"), "killed", "how");
	cr_assert_str_eq(jstr(j, "signal"), "SIGKILL", "signal of a killed child");
	json_decref(j);

	rec(&r, TR_ACCEPT, 20);
	r.fd = 3;
	r.ret = -1;
	r.err = EAGAIN;
	trace_rec_set_text(&r, "127.0.0.1:5000");
	j = to_json(&r);
	cr_assert_str_eq(jstr(j, "errno"), "EAGAIN", "errno");
	jnull(j, "peer");
	json_decref(j);

	rec(&r, TR_SEM_TRYWAIT, 20);
	r.ret = 0;
	j = to_json(&r);
	jbool(j, "won", 1);
	json_decref(j);

	rec(&r, TR_LISTEN, 20);
	r.fd = 3;
	r.port = 8080;
	r.backlog = 5;
	r.op = LISTEN_REUSEPORT;
	trace_rec_set_text(&r, "127.0.0.1");
	j = to_json(&r);
	cr_assert_eq(jint(j, "port"), 8080, "port");
	cr_assert_eq(jint(j, "backlog"), 5, "backlog");
	jbool(j, "inherited", 0);
	jbool(j, "reuseport", 1);
	json_decref(j);

	rec(&r, TR_EPOLL_CREATE, 20);
	r.arg = EPOLL_CLOEXEC;
	r.ret = 4;
	j = to_json(&r);
	{
		static const char *const cloexec[] = { "EPOLL_CLOEXEC", NULL };
		jnames(json_object_get(j, "flags"), cloexec, "flags");
	}
	json_decref(j);

	rec(&r, TR_CLIENT, 1);
	r.client = 3;
	r.op = CLIENT_REPLY;
	r.arg2 = 40000;
	trace_rec_set_text(&r, "pid = 20 | hello");
	j = to_json(&r);
	cr_assert_eq(jint(j, "client"), 3, "client");
	cr_assert_str_eq(jstr(j, "event"), "reply", "event");
	cr_assert_str_eq(jstr(j, "text"), "pid = 20 | hello", "text");
	json_decref(j);
}

/* ---- string escaping -------------------------------------------------- */

Test(tracefmt, strings_are_escaped_into_valid_json)
{
	/* Quotes, backslashes, control bytes, DEL, UTF-8 (é, Cyrillic) and bytes that are not UTF-8. */
	static const char raw[] = "q\"b\\n\nr\rt\tc\x01\x1f d\x7f u\xc3\xa9 \xd0\xbc\xd0\xb8\xd1\x80 z\xff \xc3 \xe0\x80\x80";
	struct trace_rec r;
	char want[128];
	size_t k = 0;
	json_t *j;

	/*
	 * Well-formed UTF-8 reads as itself; every other byte becomes the code
	 * point of the same number (kept, not guessed at): 0xff, a lead byte
	 * alone, an overlong form.
	 */
	for (const unsigned char *p = (const unsigned char *)raw; *p; p++) {
		int utf8 = (p[0] == 0xc3 && p[1] == 0xa9) || ((p[0] == 0xd0 || p[0] == 0xd1) && (p[1] & 0xc0) == 0x80);

		if (*p < 0x80) {
			want[k++] = (char)*p;
		} else if (utf8) {
			want[k++] = (char)p[0];
			want[k++] = (char)p[1];
			p++;
		} else {
			want[k++] = (char)(0xc0 | (*p >> 6));
			want[k++] = (char)(0x80 | (*p & 0x3f));
		}
	}
	want[k] = '\0';
	rec(&r, TR_LOG, 1);
	trace_rec_set_text(&r, raw);
	j = to_json(&r);
	cr_assert_str_eq(jstr(j, "text"), want, "escaped string did not decode to its bytes");
	json_decref(j);

	rec(&r, TR_TTY, 1);
	trace_rec_set_text(&r, raw);
	j = to_json(&r);
	cr_assert_str_eq(jstr(j, "text"), want, "tty text did not decode to its bytes");
	json_decref(j);
}

Test(tracefmt, sb_json_str_escapes_exactly)
{
	struct strbuf b;

	sb_init(&b);
	sb_json_str(&b, "a\"b\\c\nd\x01");
	cr_assert_str_eq(b.s, "\"a\\\"b\\\\c\\nd\\u0001\"", "escaped as %s", b.s);
	sb_reset(&b);
	sb_json_str(&b, "");
	cr_assert_str_eq(b.s, "\"\"", "empty string escaped as %s", b.s);
	sb_free(&b);
}

Test(tracefmt, strbuf_grows_and_formats)
{
	struct strbuf b;

	sb_init(&b);
	for (int i = 0; i < 1000; i++)
		sb_printf(&b, "%d,", i % 10);
	cr_assert_eq(b.len, 2000, "length %zu after 1000 appends, want 2000", b.len);
	cr_assert_eq(strlen(b.s), b.len, "len and string disagree");
	cr_assert_eq(strncmp(b.s, "0,1,2,", 6), 0, "content wrong: %.10s", b.s);
	sb_reset(&b);
	cr_assert_eq(b.len, 0, "reset kept %zu bytes", b.len);
	cr_assert_str_eq(b.s, "", "reset left text");
	sb_addn(&b, "abcdef", 3);
	cr_assert_str_eq(b.s, "abc", "sb_addn wrote '%s'", b.s);
	sb_free(&b);
	cr_assert_null(b.s, "sb_free kept the buffer");
}

/* JSON numbers as printf writes them, at every length from 1 to 20 digits and both ends. */
Test(tracefmt, numbers_are_written_as_printf_does)
{
	unsigned long long us[] = { 0, 9, 10, 99, 100, 101, 999, 1000, 65535, 4294967295ull, 56797930744185ull,
				    9999999999999999999ull, 10000000000000000000ull, 18446744073709551615ull };
	long long is[] = { 0, -1, -9, -10, -99, -100, 2147483647, -2147483648ll, 9223372036854775807ll,
			   -9223372036854775807ll - 1 };
	struct strbuf b;
	char want[32];

	sb_init(&b);
	for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
		sb_reset(&b);
		sb_add(&b, "x");
		sb_uint(&b, us[i]);
		snprintf(want, sizeof want, "x%llu", us[i]);
		cr_assert_str_eq(b.s, want, "sb_uint(%llu) wrote %s", us[i], b.s);
		cr_assert_eq(b.len, strlen(want), "sb_uint(%llu): length %zu", us[i], b.len);
	}
	for (unsigned long long p = 1, k = 0; k < 20; k++, p *= 10) {
		sb_reset(&b);
		sb_uint(&b, p);
		snprintf(want, sizeof want, "%llu", p);
		cr_assert_str_eq(b.s, want, "sb_uint(10^%llu) wrote %s", k, b.s);
		sb_reset(&b);
		sb_uint(&b, p - 1);
		snprintf(want, sizeof want, "%llu", p - 1);
		cr_assert_str_eq(b.s, want, "sb_uint(10^%llu - 1) wrote %s", k, b.s);
	}
	for (size_t i = 0; i < sizeof is / sizeof is[0]; i++) {
		sb_reset(&b);
		sb_int(&b, is[i]);
		snprintf(want, sizeof want, "%lld", is[i]);
		cr_assert_str_eq(b.s, want, "sb_int(%lld) wrote %s", is[i], b.s);
	}
	sb_free(&b);
}

/* ---- mask and op names ------------------------------------------------ */

Test(tracefmt, epoll_mask_str_short_and_long)
{
	char buf[256];

	cr_assert_str_eq(epoll_mask_str(EPOLLIN | EPOLLET, 1, buf, sizeof buf), "IN|ET", "short");
	cr_assert_str_eq(epoll_mask_str(EPOLLIN | EPOLLET, 0, buf, sizeof buf), "EPOLLIN|EPOLLET",
			 "long");
	cr_assert_str_eq(epoll_mask_str(0, 1, buf, sizeof buf), "0", "empty mask, short");
	cr_assert_str_eq(epoll_mask_str(0, 0, buf, sizeof buf), "0", "empty mask, long");
	cr_assert_str_eq(epoll_mask_str(EPOLLHUP | EPOLLIN | EPOLLERR, 1, buf, sizeof buf),
			 "IN|ERR|HUP", "bit order");
	cr_assert_str_eq(epoll_mask_str(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLEXCLUSIVE |
					EPOLLONESHOT | EPOLLWAKEUP, 0, buf, sizeof buf),
			 "EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLEXCLUSIVE|EPOLLWAKEUP|EPOLLONESHOT",
			 "six flags: %s", buf);
}

Test(tracefmt, epoll_mask_str_shows_unknown_bits_as_hex)
{
	char buf[256];

	cr_assert_str_eq(epoll_mask_str(0x800, 1, buf, sizeof buf), "0x800", "unknown only");
	cr_assert_str_eq(epoll_mask_str(EPOLLIN | 0x800 | 0x1000, 0, buf, sizeof buf),
			 "EPOLLIN|0x1800", "known and unknown: %s", buf);
	cr_assert_str_eq(epoll_mask_str(EPOLLET | 0x20, 1, buf, sizeof buf), "ET|0x20",
			 "unknown 0x20: %s", buf);
}

Test(tracefmt, epoll_mask_str_truncates_safely)
{
	char buf[64];

	memset(buf, 'Z', sizeof buf);
	epoll_mask_str(EPOLLIN | EPOLLOUT | EPOLLHUP | EPOLLET, 0, buf, 8);
	cr_assert_eq(strlen(buf), 7, "truncated to %zu bytes, want 7", strlen(buf));
	cr_assert_eq(strncmp(buf, "EPOLLIN", 7), 0, "truncated text '%s'", buf);
	for (size_t i = 8; i < sizeof buf; i++)
		cr_assert_eq(buf[i], 'Z', "wrote past cap at byte %zu", i);
}

Test(tracefmt, sb_json_mask_arrays)
{
	struct strbuf b;

	sb_init(&b);
	trace_rec_json_mask(&b, EPOLLIN | EPOLLET);
	cr_assert_str_eq(b.s, "[\"EPOLLIN\",\"EPOLLET\"]", "got %s", b.s);
	sb_reset(&b);
	trace_rec_json_mask(&b, 0);
	cr_assert_str_eq(b.s, "[]", "empty mask got %s", b.s);
	sb_reset(&b);
	trace_rec_json_mask(&b, EPOLLOUT | 0x800);
	cr_assert_str_eq(b.s, "[\"EPOLLOUT\",\"0x800\"]", "unknown bit got %s", b.s);
	sb_free(&b);
}

Test(tracefmt, op_and_enum_names)
{
	cr_assert_str_eq(epoll_op_name(EPOLL_CTL_ADD, 0), "EPOLL_CTL_ADD", "ADD long");
	cr_assert_str_eq(epoll_op_name(EPOLL_CTL_DEL, 1), "DEL", "DEL short");
	cr_assert_str_eq(epoll_op_name(EPOLL_CTL_MOD, 0), "EPOLL_CTL_MOD", "MOD long");
	cr_assert_str_eq(epoll_op_name(99, 0), "?", "unknown op");
	cr_assert_str_eq(trace_rec_enum_name(RE_REAP_HOW, REAP_CONTINUED), "continued", "reap how");
	cr_assert_str_eq(trace_rec_enum_name(RE_REAP_HOW, -1), "unknown", "negative reap how");
	cr_assert_str_eq(trace_rec_enum_name(RE_JOB_EVENT, JOB_DONE), "done", "job event");
	cr_assert_str_eq(trace_rec_enum_name(RE_CLIENT_EVENT, CLIENT_TIMEOUT), "timeout", "client event");
	cr_assert_str_eq(trace_rec_enum_name(RE_CLIENT_EVENT, 6), "unknown", "client event out of range");
	cr_assert_str_eq(trace_rec_enum_name(RE_ACTION_STATE, ACTION_FAILED), "failed", "action state");
	cr_assert_str_eq(trace_rec_enum_name(RE_OPEN_KIND, OPEN_EPOLL), "epoll", "open kind");
	cr_assert_str_eq(trace_rec_enum_name(RE_STRAY_REASON, STRAY_NOT_MINE), "not-mine", "stray reason");
	cr_assert_str_eq(trace_rec_enum_name(RE_STRAY_REASON, 2), "unknown", "stray reason out of range");
}

/* ---- plain text lines ------------------------------------------------- */

/* Assert that the text line of r contains want. */
static void
text_has(const struct trace_rec *r, const char *want)
{
	struct strbuf b;

	sb_init(&b);
	trace_rec_line(&b, r, 0);
	cr_assert_not_null(strstr(b.s, want), "%s line '%s' lacks '%s'", trace_rec_type_name(r->type),
			   b.s, want);
	sb_free(&b);
}

Test(tracefmt, text_lines_read_like_strace)
{
	struct trace_rec r;

	rec(&r, TR_EPOLL_CTL, 5);
	r.ts_ns = 1500000;
	r.epfd = 5;
	r.op = EPOLL_CTL_ADD;
	r.fd = 3;
	r.events = EPOLLIN | EPOLLET;
	r.data = 3;
	r.ret = -1;
	r.err = EEXIST;
	text_has(&r, "1.500 ms");
	text_has(&r, "epoll_ctl(5, EPOLL_CTL_ADD, 3, {EPOLLIN|EPOLLET, data=3}) = -1 EEXIST");
	r.op = EPOLL_CTL_DEL;
	r.ret = 0;
	r.err = 0;
	text_has(&r, "epoll_ctl(5, EPOLL_CTL_DEL, 3, NULL) = 0");

	rec(&r, TR_WAIT_RETURN, 5);
	r.epfd = 5;
	r.ret = 1;
	r.npairs = 1;
	r.pairs[0].events = EPOLLIN | EPOLLHUP;
	r.pairs[0].data = 6;
	text_has(&r, "... epoll_wait(5) = 1 [{EPOLLIN|EPOLLHUP, data=6}]");

	rec(&r, TR_SIGNAL, 5);
	r.signo = SIGINT;
	r.si_code = 0x80;
	text_has(&r, "--- SIGINT {si_code=SI_KERNEL, si_pid=0} ---");

	rec(&r, TR_TTY, 5);
	trace_rec_set_text(&r, "one\ntwo\n");
	text_has(&r, "tty| one\n");
	text_has(&r, "tty| two");
}
