/*
 * test_script.c - unit tests of the headless action script parser
 * (script.h): steps, separators, defaults, and the "step K 'text': reason"
 * messages of bad scripts.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "script.h"

/* Expect src to fail with exactly want. */
static void
expect_error(const char *src, const char *want)
{
	static struct script s;
	char err[1024];

	err[0] = '\0';
	cr_assert_eq(script_parse(src, &s, err, sizeof err), -1, "accepted: %s", src);
	cr_assert_str_eq(err, want, "wrong message for: %s", src);
}

Test(script, every_action_with_semicolons_and_newlines)
{
	static struct script s;
	char err[512];
	static const struct {
		int id, n;
		const char *text;
		double secs;
	} want[] = {
		{ ACT_CONNECT, 3, "", 0 },  { ACT_BURST, 20, "", 0 },    { ACT_HOLD, 2, "", 0 },
		{ ACT_SEND, 0, "hello  world", 0 }, { ACT_RELEASE, 0, "", 0 }, { ACT_WRITE, 0, "hi", 0 },
		{ ACT_WRITER, 0, "", 0 },   { ACT_HANGUP, 0, "", 0 },    { ACT_WAIT, 0, "", 0.5 },
		{ ACT_SETTLE, 0, "", 0 },   { ACT_STOP, 0, "", 0 },      { ACT_CONT, 0, "", 0 },
		{ ACT_SIGINT, 0, "", 0 },   { ACT_KILL_PARENT, 0, "", 0 },
	};
	const char *src = "connect 3; burst; hold\t2\n"
			  "  send   hello  world  \n"
			  "release;write hi;writer;hangup\r\n"
			  "wait 0.5;settle;stop;cont;sigint;kill-parent\n";

	cr_assert_eq(script_parse(src, &s, err, sizeof err), 0, "rejected: %s", err);
	cr_assert_eq(s.nsteps, (int)(sizeof want / sizeof want[0]), "%d steps", s.nsteps);
	for (int i = 0; i < s.nsteps; i++) {
		cr_assert_eq(s.steps[i].id, want[i].id, "step %d is %s, want %s", i + 1,
			     action_name(s.steps[i].id), action_name(want[i].id));
		cr_assert_eq(s.steps[i].n, want[i].n, "step %d (%s): n %d, want %d", i + 1,
			     action_name(want[i].id), s.steps[i].n, want[i].n);
		cr_assert_str_eq(s.steps[i].text, want[i].text, "step %d (%s): text '%s'", i + 1,
				 action_name(want[i].id), s.steps[i].text);
		cr_assert_float_eq(s.steps[i].secs, want[i].secs, 1e-9, "step %d: secs %g", i + 1,
				   s.steps[i].secs);
	}
}

Test(script, defaults_burst_20_connect_1_hold_1)
{
	static struct script s;
	char err[512];

	cr_assert_eq(script_parse("burst;connect;hold", &s, err, sizeof err), 0, "%s", err);
	cr_assert_eq(s.nsteps, 3, "%d steps", s.nsteps);
	cr_assert_eq(s.steps[0].n, 20, "burst default %d, want 20", s.steps[0].n);
	cr_assert_eq(s.steps[1].n, 1, "connect default %d, want 1", s.steps[1].n);
	cr_assert_eq(s.steps[2].n, 1, "hold default %d, want 1", s.steps[2].n);
}

Test(script, empty_steps_and_scripts)
{
	static struct script s;
	char err[512];

	cr_assert_eq(script_parse("", &s, err, sizeof err), 0, "empty script: %s", err);
	cr_assert_eq(s.nsteps, 0, "empty script has %d steps", s.nsteps);
	cr_assert_eq(script_parse(" ; ;\n\n  connect ;;  ", &s, err, sizeof err), 0, "%s", err);
	cr_assert_eq(s.nsteps, 1, "%d steps, want 1", s.nsteps);
	cr_assert_eq(s.steps[0].id, ACT_CONNECT, "kind %s", action_name(s.steps[0].id));
}

Test(script, counts_and_durations_at_their_limits)
{
	static struct script s;
	char err[512];

	cr_assert_eq(script_parse("burst 1000; connect 1; wait 60; wait 0.001", &s, err, sizeof err),
		     0, "%s", err);
	cr_assert_eq(s.steps[0].n, 1000, "burst 1000 gave %d", s.steps[0].n);
	cr_assert_float_eq(s.steps[2].secs, 60.0, 1e-9, "wait 60 gave %g", s.steps[2].secs);
	cr_assert_float_eq(s.steps[3].secs, 0.001, 1e-12, "wait 0.001 gave %g", s.steps[3].secs);
}

Test(script, unknown_action_lists_the_known_ones)
{
	expect_error("connect; jump 3",
		     "step 2 'jump 3': unknown action (known: connect burst hold send release abandon target write "
		     "writer hangup write-close stop-watcher cont-watcher wait sigint kill-parent stop cont settle "
		     "inspect pause)");
	expect_error("Connect",
		     "step 1 'Connect': unknown action (known: connect burst hold send release abandon target write "
		     "writer hangup write-close stop-watcher cont-watcher wait sigint kill-parent stop cont settle "
		     "inspect pause)");
}

Test(script, bad_counts)
{
	expect_error("burst 0", "step 1 'burst 0': bad count '0' (expected 1 to 1000)");
	expect_error("burst 1001", "step 1 'burst 1001': bad count '1001' (expected 1 to 1000)");
	expect_error("sigint; connect x", "step 2 'connect x': bad count 'x' (expected 1 to 1000)");
	expect_error("hold -1", "step 1 'hold -1': bad count '-1' (expected 1 to 1000)");
	expect_error("connect 2 3", "step 1 'connect 2 3': bad count '2 3' (expected 1 to 1000)");
}

Test(script, missing_or_long_text)
{
	char src[300], want[600], text[200];

	expect_error("send", "step 1 'send': needs a text");
	expect_error("connect\nwrite   \n", "step 2 'write': needs a text");
	memset(text, 'x', 128);
	text[128] = '\0';
	snprintf(src, sizeof src, "send %s", text);
	snprintf(want, sizeof want, "step 1 'send %s': text longer than 127 bytes", text);
	expect_error(src, want);
}

Test(script, text_of_127_bytes_is_kept)
{
	static struct script s;
	char src[300], err[512], text[200];

	memset(text, 'x', 127);
	text[127] = '\0';
	snprintf(src, sizeof src, "write %s", text);
	cr_assert_eq(script_parse(src, &s, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(s.steps[0].text, text, "text not kept");
}

Test(script, bad_durations)
{
	static const char *const bad[] = { "", "0", "-1", "61", "60.5", "abc", "1s", "nan", "inf" };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char src[64], want[256];

		snprintf(src, sizeof src, "connect; wait %s", bad[i]);
		if (bad[i][0])
			snprintf(want, sizeof want, "step 2 'wait %s': bad duration '%s' (expected "
				 "seconds, above 0 and at most 60)", bad[i], bad[i]);
		else
			snprintf(want, sizeof want, "step 2 'wait': bad duration '' (expected "
				 "seconds, above 0 and at most 60)");
		expect_error(src, want);
	}
}

Test(script, argument_to_an_action_that_takes_none)
{
	expect_error("release now", "step 1 'release now': takes no argument");
	expect_error("burst 2;sigint 2", "step 2 'sigint 2': takes no argument");
}

Test(script, step_numbers_skip_empty_steps)
{
	expect_error("connect;;\n;  ;burst 0", "step 2 'burst 0': bad count '0' (expected 1 to 1000)");
}

Test(script, too_many_steps)
{
	static char src[SCRIPT_MAX_STEPS * 8 + 16];
	static struct script s;
	char err[512];
	size_t k = 0;

	for (int i = 0; i < SCRIPT_MAX_STEPS; i++)
		k += (size_t)snprintf(src + k, sizeof src - k, "settle;");
	cr_assert_eq(script_parse(src, &s, err, sizeof err), 0, "%d steps rejected: %s",
		     SCRIPT_MAX_STEPS, err);
	cr_assert_eq(s.nsteps, SCRIPT_MAX_STEPS, "%d steps", s.nsteps);
	snprintf(src + k, sizeof src - k, "stop");
	expect_error(src, "step 129 'stop': too many steps (at most 128)");
}

Test(script, step_names_and_needs)
{
	cr_assert_str_eq(action_name(ACT_KILL_PARENT), "kill-parent", "name");
	cr_assert_str_eq(action_name(ACT__COUNT), "?", "out of range name");
	cr_assert_str_eq(action_name(-1), "?", "negative name");
	cr_assert_eq(action_needs(ACT_BURST), AN_LISTENER, "burst needs the echo server");
	cr_assert_eq(action_needs(ACT_HANGUP), AN_WRITER, "hangup needs a held writer");
	cr_assert_eq(action_needs(ACT_CONT), AN_STOPPED, "fg needs a stopped job");
	cr_assert_eq(action_needs(ACT_WAIT), AN_ANY, "wait needs nothing");
	cr_assert_eq(action_needs(99), AN_ANY, "out of range needs nothing");
}

Test(script, target_takes_a_port_or_nothing)
{
	expect_error("target 0", "step 1 'target 0': bad port '0' (expected 1 to 65535)");
	expect_error("target 70000", "step 1 'target 70000': bad port '70000' (expected 1 to 65535)");
}
