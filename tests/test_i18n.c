/*
 * test_i18n.c - what changes with the language and what must not: the real
 * binary's --help, errors and headless text in Russian from its catalogue
 * (LANGUAGE=ru, which glibc honours in C.UTF-8 too, so no Russian locale is
 * needed here); the JSON Lines output byte for byte the same in both
 * languages; numbers with a decimal point in both; and the sentences of
 * action records, kept English in the trace, shown in Russian with the
 * right plural form for 1, 2 and 5.
 */
#include <criterion/criterion.h>
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "../src/sentence.h"
#include "../src/i18n.h"
#include "hrun.h"
#include "tui_helpers.h"

#define OUT_MAX (4 << 20)

/* Run the binary with args (shell words) under env; its stdout and stderr into a malloc'd string; status in *st. */
static char *
run(const char *env, const char *args, int *st)
{
	const char *bin = getenv("EPOLLVIZ_BIN");
	char cmd[4096];
	char *out = malloc(OUT_MAX);
	size_t n = 0, k;
	FILE *p;

	cr_assert_not_null(out);
	snprintf(cmd, sizeof cmd, "env %s '%s' %s 2>&1", env, bin ? bin : "./epollviz", args);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "%s", cmd);
	while (n < OUT_MAX - 1 && (k = fread(out + n, 1, OUT_MAX - 1 - n, p)) > 0)
		n += k;
	out[n] = '\0';
	k = (size_t)pclose(p);
	*st = WIFEXITED((int)k) ? WEXITSTATUS((int)k) : -1;
	return out;
}

#define RU "LC_ALL=C.UTF-8 LANGUAGE=ru"
#define EN "LC_ALL=C.UTF-8 LANGUAGE="

static char LOCPATH[96]; /* a ru_RU.UTF-8 built by tui_ru_locale, removed by the fini */

/* Remove the locale a test built. */
static void
i18n_fini(void)
{
	if (LOCPATH[0])
		tui_sh("rm -rf '%s'", LOCPATH);
	LOCPATH[0] = '\0';
}

TestSuite(i18n, .fini = i18n_fini, .timeout = 60);

/* The environment of a real Russian locale (LC_ALL=ru_RU.UTF-8) into env, or skip the test saying why. */
static void
ru_locale_env(char *env, size_t cap)
{
	char why[256];

	if (tui_ru_locale(LOCPATH, sizeof LOCPATH, why, sizeof why) < 0)
		cr_skip_test("no Russian locale: %s", why);
	snprintf(env, cap, "%s%s%sLC_ALL=ru_RU.UTF-8", LOCPATH[0] ? "LOCPATH='" : "", LOCPATH, LOCPATH[0] ? "' " : "");
}

Test(i18n, help_is_russian_with_option_names_as_they_are)
{
	int st;
	char *ru = run(RU, "--help", &st), *en;

	cr_assert_eq(st, 0);
	cr_assert_not_null(strstr(ru, "Использование:"), "%s", ru);
	cr_assert_not_null(strstr(ru, "--headless"), "%s", ru);
	cr_assert_not_null(strstr(ru, "--record"), "%s", ru);
	en = run(EN, "--help", &st);
	cr_assert_eq(st, 0);
	cr_assert_not_null(strstr(en, "usage: epollviz"), "%s", en);
	cr_assert_null(strstr(en, "использование"), "%s", en);
	free(ru);
	free(en);
}

Test(i18n, the_locale_chooses_and_LANGUAGE_comes_first)
{
	char env[256], env2[300];
	int st;
	char *out;

	ru_locale_env(env, sizeof env);
	snprintf(env2, sizeof env2, "%s LANGUAGE=", env);
	out = run(env2, "--help", &st);
	cr_assert_not_null(strstr(out, "Использование:"), "LC_ALL=ru_RU.UTF-8 is not Russian: %s", out);
	free(out);
	/* LANGUAGE comes before LC_ALL, as in every gettext program: English asked for, English given. */
	snprintf(env2, sizeof env2, "%s LANGUAGE=en", env);
	out = run(env2, "--help", &st);
	cr_assert_not_null(strstr(out, "usage: epollviz"), "LANGUAGE=en is not English: %s", out);
	free(out);
}

Test(i18n, errors_are_russian_and_still_name_the_file_and_line)
{
	char dir[] = "/tmp/epollviz-i18n-XXXXXX", path[PATH_MAX], args[PATH_MAX + 32];
	FILE *f;
	int st;
	char *out;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/bad.scn", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "title = bad\n[echo]\naccept = sometimes\n");
	fclose(f);
	snprintf(args, sizeof args, "--headless '%s'", path);
	out = run(RU, args, &st);
	tui_sh("rm -rf '%s'", dir);
	cr_assert_eq(st, 2, "status %d: %s", st, out);
	cr_assert_not_null(strstr(out, "bad.scn:3:"), "the file and line are not named: %s", out);
	cr_assert_not_null(strstr(out, "sometimes"), "the value is not named: %s", out);
	cr_assert_not_null(strstr(out, "недопустимое значение"), "not in Russian: %s", out);
	free(out);
}

Test(i18n, json_is_the_same_in_every_language_and_numbers_keep_their_point)
{
	char args[PATH_MAX + 64];
	const char *scn = getenv("EPOLLVIZ_SCENARIOS");
	char *ru, *en, *text, env[256], env2[300];
	int st;
	regmatch_t m[1];

	snprintf(args, sizeof args, "--headless replay '%s/recordings/echo-herd-burst.rec' --json",
		 scn ? scn : "scenarios");
	en = run(EN, args, &st);
	cr_assert_eq(st, 0, "%.2000s", en);
	ru_locale_env(env, sizeof env);
	ru = run(env, args, &st);
	cr_assert_eq(st, 0, "%.2000s", ru);
	cr_assert_gt(strlen(en), 1000);
	cr_assert_str_eq(ru, en, "the JSON Lines output changed with the language");
	free(ru);
	free(en);
	/* The text output is translated, but its times keep a decimal point (LC_NUMERIC stays C). */
	snprintf(args, sizeof args, "--headless replay '%s/recordings/echo-herd-burst.rec'", scn ? scn : "scenarios");
	snprintf(env2, sizeof env2, "%s LANGUAGE=", env);
	text = run(env2, args, &st);
	cr_assert_eq(st, 0, "%.2000s", text);
	cr_assert(tui_match(text, "[\xd0\xd1]", NULL, 0), "the text output is not in Russian: %.2000s", text);
	cr_assert(tui_match(text, "^ +[0-9]+\\.[0-9]{3} ms", m, 1), "no time with a point: %.2000s", text);
	cr_assert(!tui_match(text, "^ +[0-9]+,[0-9]{3} ms", NULL, 0), "a decimal comma: %.2000s", text);
	free(text);
}

Test(i18n, with_json_every_message_is_english)
{
	int st;
	char *out = run(RU, "attach --json 999999", &st);

	cr_assert_eq(st, 1, "%s", out);
	cr_assert_not_null(strstr(out, "no process 999999"), "--json printed a translated message: %s", out);
	cr_assert_not_null(strstr(out, "\"gone\":true"), "%s", out);
	free(out);
	out = run(RU, "attach 999999", &st);
	cr_assert_null(strstr(out, "no process 999999"), "without --json the message is Russian: %s", out);
	free(out);
}

/*
 * attach describes each fd in English for JSON and in the user's language
 * for the report; with no catalogue the second is a copy of the first
 * (kview.c asks gettext once per reading whether one is loaded).  A child
 * holds a connected pair of unix sockets in an epoll instance.
 */
Test(i18n, attach_describes_sockets_in_the_language_of_the_report)
{
	int sv[2], ep, ready[2], st;
	char c, args[64], *out;
	pid_t pid;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct epoll_event ev = { .events = EPOLLIN };

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || (ep = epoll_create1(0)) < 0 ||
		    epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev) < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the child made no sockets");
	close(ready[0]);
	snprintf(args, sizeof args, "attach %d", (int)pid);
	out = run(RU, args, &st);
	cr_assert(strstr(out, "unix stream (\xd0\xb1\xd0\xb5\xd0\xb7 \xd0\xb8\xd0\xbc\xd0\xb5\xd0\xbd\xd0\xb8)"),
		  "the unix socket is not described in Russian ('без имени'): %.3000s", out);
	free(out);
	out = run(EN, args, &st);
	cr_assert(strstr(out, "unix stream (unnamed) -> peer"), "in English: %.3000s", out);
	free(out);
	snprintf(args, sizeof args, "attach --json %d", (int)pid);
	out = run(RU, args, &st);
	cr_assert(strstr(out, "\"unix stream (unnamed) -> peer"), "JSON stays English: %.3000s", out);
	free(out);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Bind the catalogue make built beside the binary under test, in Russian. */
static void
russian(void)
{
	const char *bin = getenv("EPOLLVIZ_BIN");
	char dir[PATH_MAX], loc[PATH_MAX + 32];

	snprintf(dir, sizeof dir, "%s", bin ? bin : "./epollviz");
	dirname(dir);
	snprintf(loc, sizeof loc, "%s/build/locale", dir);
	if (access(loc, R_OK) != 0)
		snprintf(loc, sizeof loc, "%s/locale", dir); /* build/asan/epollviz */
	cr_assert_eq(access(loc, R_OK), 0, "no catalogue next to %s", dir);
	setenv("LANGUAGE", "ru", 1);
	cr_assert_not_null(setlocale(LC_ALL, "C.UTF-8"));
	cr_assert_not_null(bindtextdomain(I18N_DOMAIN, loc));
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
}

Test(i18n, record_sentences_come_back_in_russian_with_three_plural_forms)
{
	char buf[512], rec[256];
	static const struct {
		int n;
		const char *want;
	} forms[] = {
		{ 1, "hold 1: открыть 1 соединение и держать его" },
		{ 2, "hold 2: открыть 2 соединения и держать их" },
		{ 5, "hold 5: открыть 5 соединений и держать их" },
		{ 21, "hold 21: открыть 21 соединение и держать его" },
	};

	russian();
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		/* What the action record holds: the English sentence, as action.c writes it. */
		snprintf(rec, sizeof rec, SAY_N(SAY_HOLD, forms[i].n), forms[i].n, forms[i].n);
		cr_assert_str_eq(sentence_localize(rec, buf, sizeof buf), forms[i].want, "for %d (record '%s')",
				 forms[i].n, rec);
	}
	snprintf(rec, sizeof rec, SAY_N(SAY_BURST, 22), 22, 22, 8080);
	cr_assert_str_eq(sentence_localize(rec, buf, sizeof buf), "burst 22: 22 соединения разом на 127.0.0.1:8080");
	snprintf(rec, sizeof rec, SAY_CTRL_C, "^C", 3u);
	cr_assert_str_eq(sentence_localize(rec, buf, sizeof buf),
			 "^C: записать 0x03 в ведущую сторону pty; дисциплина линии шлёт сигнал группе процессов "
			 "переднего плана");
	snprintf(rec, sizeof rec, SAY_WRITE_OWN, "a \"quoted\" (text): with %s");
	cr_assert_str_eq(sentence_localize(rec, buf, sizeof buf),
			 "записать «a \"quoted\" (text): with %s» в FIFO (open, write, close: закрытие — это разрыв)");
	/* A log record's sentence too (et-before-add's probe). */
	snprintf(rec, sizeof rec, SAY_LOG_ET_MISSED, 0);
	cr_assert_str_eq(sentence_localize(rec, buf, sizeof buf),
			 "EPOLLET не сообщил о данных, пришедших до EPOLL_CTL_ADD (epoll_wait = 0)");
	/* A sentence no format knows (an older recording's) is shown as it is. */
	cr_assert_str_eq(sentence_localize("frobnicate 3: something new", buf, sizeof buf),
			 "frobnicate 3: something new");
}
