/*
 * test_proctab.c - unit tests of the pure parts of the process table
 * (proctab.h): /proc/PID/stat lines, including comms with spaces and
 * parentheses, and terminal names from tty_nr.  No /proc access.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "proctab.h"

/* Lines as the kernel writes them (the first two captured from a real system). */
static const char stat_cat[] =
	"12628 (cat) R 12626 12626 4026 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 172273 3133440 "
	"411 18446744073709551615 94197814099968 94197814119849 140724552846464 0 0 0 0 0 0 0 0 0 "
	"17 1 0 0 0 0 0 94197814135856 94197814137472 94198738239488 140724552849863 "
	"140724552849883 140724552849883 140724552851435 0\n";
static const char stat_init[] =
	"1 (process_api) S 0 0 0 0 -1 4194560 61666 380202 0 311 102 336 673 463 10 -10 13 0 24 "
	"42004480 3003 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 "
	"0 0 0\n";
static const char stat_pts[] =
	"31337 (bash) S 31336 31337 31337 34817 31400 4194304 1813 2736 0 0 2 1 3 2 20 0 1 0 "
	"9919 8609792 1300 18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 17 3 0 "
	"0 0 0 0\n";
static const char stat_parens[] =
	"1234 (a (b) c) S 1 1234 1234 34816 1234 4194304 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n";

/* Parse line, failing the test if it is rejected. */
static void
parse_ok(const char *line, struct proc_row *row)
{
	cr_assert_eq(proctab_parse_stat(line, row), 0, "rejected: %s", line);
}

Test(proctab, captured_lines_without_a_terminal)
{
	struct proc_row r;

	parse_ok(stat_cat, &r);
	cr_assert_eq(r.pid, 12628, "pid %d", r.pid);
	cr_assert_str_eq(r.comm, "cat", "comm '%s'", r.comm);
	cr_assert_eq(r.state, 'R', "state '%c'", r.state);
	cr_assert_eq(r.ppid, 12626, "ppid %d", r.ppid);
	cr_assert_eq(r.pgid, 12626, "pgid %d", r.pgid);
	cr_assert_eq(r.sid, 4026, "sid %d", r.sid);
	cr_assert_eq(r.tty_nr, 0, "tty_nr %d", r.tty_nr);
	cr_assert_eq(r.tpgid, -1, "tpgid %d", r.tpgid);
	cr_assert_str_eq(r.tty, "?", "tty '%s'", r.tty);
	cr_assert_str_eq(r.cmd, "", "parse filled cmd '%s'", r.cmd);

	parse_ok(stat_init, &r);
	cr_assert_eq(r.pid, 1, "pid %d", r.pid);
	cr_assert_str_eq(r.comm, "process_api", "comm '%s'", r.comm);
	cr_assert_eq(r.state, 'S', "state");
	cr_assert(r.ppid == 0 && r.pgid == 0 && r.sid == 0, "ppid %d pgid %d sid %d", r.ppid,
		  r.pgid, r.sid);
}

Test(proctab, a_shell_on_a_pts_with_a_foreground_group)
{
	struct proc_row r;

	parse_ok(stat_pts, &r);
	cr_assert_eq(r.pid, 31337, "pid");
	cr_assert_eq(r.tty_nr, 34817, "tty_nr %d", r.tty_nr);
	cr_assert_str_eq(r.tty, "pts/1", "tty '%s'", r.tty);
	cr_assert_eq(r.tpgid, 31400, "tpgid (field 8) %d", r.tpgid);
	cr_assert_eq(r.sid, 31337, "sid");
}

Test(proctab, a_comm_with_spaces_and_parentheses)
{
	struct proc_row r;

	parse_ok(stat_parens, &r);
	cr_assert_eq(r.pid, 1234, "pid %d", r.pid);
	cr_assert_str_eq(r.comm, "a (b) c", "comm '%s'", r.comm);
	cr_assert_eq(r.state, 'S', "state '%c'", r.state);
	cr_assert_eq(r.ppid, 1, "ppid %d", r.ppid);
	cr_assert_eq(r.pgid, 1234, "pgid %d", r.pgid);
	cr_assert_eq(r.sid, 1234, "sid %d", r.sid);
	cr_assert_eq(r.tty_nr, 34816, "tty_nr %d", r.tty_nr);
	cr_assert_str_eq(r.tty, "pts/0", "tty '%s'", r.tty);
	cr_assert_eq(r.tpgid, 1234, "tpgid %d", r.tpgid);
}

Test(proctab, a_comm_that_looks_like_fields_is_not_misread)
{
	struct proc_row r;

	/* A process may name itself "x) S 9 9 9 9 9": only the last ')' ends the comm. */
	parse_ok("77 (x) S 9 9 9 9 9) R 1 77 77 34818 77 0 0\n", &r);
	cr_assert_str_eq(r.comm, "x) S 9 9 9 9 9", "comm '%s'", r.comm);
	cr_assert_eq(r.state, 'R', "state '%c'", r.state);
	cr_assert_eq(r.ppid, 1, "ppid %d", r.ppid);
	cr_assert_str_eq(r.tty, "pts/2", "tty '%s'", r.tty);

	parse_ok("78 () Z 1 78 78 0 -1 0\n", &r);
	cr_assert_str_eq(r.comm, "", "empty comm '%s'", r.comm);
	cr_assert_eq(r.state, 'Z', "state '%c'", r.state);
}

Test(proctab, an_over_long_comm_is_truncated)
{
	struct proc_row r;
	char line[256];

	strcpy(line, "5 (");
	memset(line + 3, 'c', 60);
	strcpy(line + 63, ") S 1 5 5 0 -1 0\n");
	parse_ok(line, &r);
	cr_assert_eq(strlen(r.comm), sizeof r.comm - 1, "comm kept %zu bytes", strlen(r.comm));
	cr_assert_eq(r.ppid, 1, "fields after a long comm: ppid %d", r.ppid);
}

Test(proctab, malformed_lines_are_rejected)
{
	static const char *const bad[] = {
		"",
		"1234",
		"1234 (cat",
		"1234 cat) S 1 2 3 4 5",
		"1234 )cat( S 1 2 3 4 5",
		"abc (cat) S 1 2 3 4 5",
		"1234 (cat)",
		"1234 (cat) S",
		"1234 (cat) S 1 2 3",
		"1234 (cat) S 1 2 3 4",
		"1234 (cat) S x 2 3 4 5",
		"(cat) S 1 2 3 4 5",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct proc_row r;

		memset(&r, 'Q', sizeof r);
		cr_assert_eq(proctab_parse_stat(bad[i], &r), -1, "accepted '%s'", bad[i]);
	}
}

Test(proctab, terminal_names)
{
	static const struct {
		int tty_nr;
		const char *want;
	} cases[] = {
		{ 0, "?" },
		{ (136 << 8) | 0, "pts/0" },
		{ (136 << 8) | 3, "pts/3" },
		/* minor 300 on major 136, as the kernel encodes it: minor's high bits at 20.. */
		{ (136 << 8) | (300 & 0xff) | ((300 & ~0xff) << 12), "pts/300" },
		{ (137 << 8) | 5, "pts/261" },
		{ (4 << 8) | 1, "tty1" },
		{ (4 << 8) | 63, "tty63" },
		{ (4 << 8) | 64, "ttyS0" },
		{ (4 << 8) | 65, "ttyS1" },
		{ (5 << 8) | 1, "5:1" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[16];

		proctab_tty_name(cases[i].tty_nr, buf, sizeof buf);
		cr_assert_str_eq(buf, cases[i].want, "tty_nr %d: '%s', want '%s'", cases[i].tty_nr, buf,
				 cases[i].want);
	}
}

Test(proctab, terminal_name_respects_the_buffer)
{
	char buf[8];

	memset(buf, 'Z', sizeof buf);
	proctab_tty_name((136 << 8) | 7, buf, 4);
	cr_assert_str_eq(buf, "pts", "truncated to '%s'", buf);
	cr_assert_eq(buf[4], 'Z', "wrote past the buffer");
}
