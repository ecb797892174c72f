/*
 * test_tui_ru.c - the screen in Russian, as a student reading the Russian
 * notes would see it: the real binary under ru_RU.UTF-8 in a private tmux
 * server at 80x24 (the smallest screen epollviz supports), its own message
 * catalogue (build/locale, as make builds it).  The machine's ru_RU.UTF-8
 * locale is used when it has one; otherwise tui_ru_locale builds one with
 * localedef, and without Debian's locale sources the tests skip, saying so.
 * Besides the words, what is checked is what goes wrong first when text is
 * measured in bytes: a table's columns, the key bar, a character cut in half.
 */
#include <criterion/criterion.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui_helpers.h"

#define WAIT_MS 15000

static struct tui T;
static char LOCPATH[96];

/* End the tmux server, remove a locale built for the test. */
static void
ru_fini(void)
{
	tui_kill(&T);
	if (LOCPATH[0])
		tui_sh("rm -rf '%s'", LOCPATH);
	LOCPATH[0] = '\0';
}

TestSuite(tui_ru, .fini = ru_fini, .timeout = 120);

/* Start epollviz with args at 80x24 in Russian, or skip the test when the machine has no way to. */
static void
start_ru(const char *name, const char *args)
{
	char why[256];

	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"), "the tests need C.UTF-8 to measure columns");
	if (tui_ru_locale(LOCPATH, sizeof LOCPATH, why, sizeof why) < 0)
		cr_skip_test("no Russian locale: %s", why);
	tui_init(&T, name);
	snprintf(T.locale, sizeof T.locale, "ru_RU.UTF-8");
	snprintf(T.locpath, sizeof T.locpath, "%s", LOCPATH);
	cr_assert_eq(tui_start(&T, 80, 24, args, NULL, NULL), 0);
}

/* Row y (from 0) of the last capture into buf, without its newline. */
static const char *
row(int y, char *buf, size_t cap)
{
	const char *s = T.screen;

	for (int i = 0; i < y && s; i++) {
		s = strchr(s, '\n');
		s = s ? s + 1 : NULL;
	}
	buf[0] = '\0';
	if (s) {
		size_t n = strcspn(s, "\n");

		snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), s);
	}
	return buf;
}

/* Display columns of s (every character whole: -1 if a byte sequence is not UTF-8). */
static int
cols(const char *s)
{
	wchar_t w[1024];
	size_t n = mbstowcs(w, s, 1024);

	if (n == (size_t)-1)
		return -1;
	return wcswidth(w, n);
}

/* Every row of the screen is whole UTF-8, no replacement character, at most 80 columns. */
static void
assert_rows_whole(void)
{
	char r[1024];

	cr_assert_null(strstr(T.screen, "\xef\xbf\xbd"), "a character was cut in half:\n%s", T.screen);
	for (int y = 0; y < 24; y++) {
		int c = cols(row(y, r, sizeof r));

		cr_assert(c >= 0 && c <= 80, "row %d is %d columns (not whole UTF-8 if -1): '%s'\n%s", y, c, r, T.screen);
	}
}

/*
 * The display columns where the n-th field of s (separated by spaces; the
 * table's marker is not a field) starts and ends, into *start and *end;
 * -1 in both if s has fewer fields or is not UTF-8.
 */
static void
field_at(const char *s, int n, int *start, int *end)
{
	wchar_t w[1024];
	size_t len = mbstowcs(w, s, 1024);
	int col = 0, field = -1, in = 0;

	*start = *end = -1;
	for (size_t i = 0; len != (size_t)-1 && i < len; i++) {
		int cw = wcwidth(w[i]) > 0 ? wcwidth(w[i]) : 0;

		if (w[i] != L' ' && w[i] != L'\x25b6') {
			if (!in && ++field == n)
				*start = col;
			in = 1;
			if (field == n)
				*end = col + cw - 1;
		} else {
			in = 0;
		}
		col += cw;
	}
}

/* Where the n-th field ends (see field_at). */
static int
field_end(const char *s, int n)
{
	int a, b;

	field_at(s, n, &a, &b);
	return b;
}

/* Where the n-th field starts (see field_at). */
static int
field_start(const char *s, int n)
{
	int a, b;

	field_at(s, n, &a, &b);
	return a;
}

Test(tui_ru, the_picker_speaks_russian_and_keeps_its_columns)
{
	char r[1024];
	int last;

	start_ru("ru-picker", "");
	cr_assert(tui_wait_re(&T, "выберите сценарий", WAIT_MS), "no Russian picker:\n%s", T.screen);
	/* The scenarios' titles come from the catalogue, beside names that stay as they are. */
	cr_assert(tui_wait_re(&T, "echo-herd +Эхо-сервер из конспекта", WAIT_MS), "%s", T.screen);
	cr_assert(tui_match(T.screen, "Нажмите f, чтобы перевести", NULL, 0) ||
		  tui_match(T.screen, "что попробовать", NULL, 0), "no description:\n%s", T.screen);
	assert_rows_whole();
	/* Every title starts in the same column, measured in columns, not bytes. */
	for (int y = 1, col = -1; y < 12; y++) {
		int at;

		row(y, r, sizeof r);
		if (!tui_match(r, "^ (\xe2\x96\xb6| ) [a-z0-9-]+ +[^ ]", NULL, 0))
			continue;
		at = field_start(r, 1);
		if (col < 0)
			col = at;
		cr_assert_eq(at, col, "row %d's title starts at column %d, not %d:\n%s", y, at, col, T.screen);
	}
	/* The key bar: Russian labels beside their keys, on the last row. */
	last = 23;
	row(last, r, sizeof r);
	cr_assert(tui_match(r, "Enter +запуск", NULL, 0) && tui_match(r, "q +выход", NULL, 0), "key bar: '%s'", r);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
}

Test(tui_ru, echo_herd_and_ctrl_c_in_russian_at_80x24)
{
	char r[1024], hdr[1024] = "";
	int rows = 0;

	start_ru("ru-herd", "echo-herd");
	cr_assert(tui_wait_re(&T, TUI_ROW "epollviz echo-worker", WAIT_MS), "no workers:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "Группы процессов", WAIT_MS), "%s", T.screen);
	cr_assert(tui_match(T.screen, "группа переднего плана", NULL, 0), "%s", T.screen);
	assert_rows_whole();
	/* The process-group table: each number ends under its header, the text columns start under theirs. */
	for (int y = 0; y < 24; y++) {
		row(y, r, sizeof r);
		if (tui_match(r, "^ +PID +PPID +PGID +SID +TTY +TPGID +STAT +", NULL, 0))
			snprintf(hdr, sizeof hdr, "%s", r);
	}
	cr_assert(hdr[0], "no process table header:\n%s", T.screen);
	for (int y = 0; y < 24; y++) {
		row(y, r, sizeof r);
		if (!tui_match(r, TUI_ROW, NULL, 0))
			continue;
		for (int f = 0; f < 4; f++) /* PID PPID PGID SID */
			cr_assert_eq(field_end(r, f), field_end(hdr, f), "column %d of row %d is not under its header:\n%s\n%s",
				     f, y, hdr, r);
		cr_assert_eq(field_end(r, 5), field_end(hdr, 5), "TPGID of row %d:\n%s\n%s", y, hdr, r);
		rows++;
	}
	cr_assert_geq(rows, 3, "too few table rows:\n%s", T.screen);
	/* The key bar: the same keys as in English, labels in Russian, the right-hand label ending where English's does (column 79). */
	row(22, r, sizeof r);
	cr_assert(tui_match(r, "c клиент", NULL, 0) && tui_match(r, "\\^C прервать", NULL, 0), "key bar: '%s'", r);
	row(23, r, sizeof r);
	cr_assert(tui_match(r, "q выход", NULL, 0), "key bar: '%s'", r);
	if (tui_match(r, "скрыты: [0-9]+$", NULL, 0))
		cr_assert_eq(cols(r), 79, "the right-aligned label does not end at column 79: '%s'", r);

	/* ^C: the Story tells the shutdown in Russian, step by step. */
	tui_keys(&T, "C-c");
	cr_assert(tui_zoom(&T, "8", "8 Хроника", 1, WAIT_MS), "no zoomed Story:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "SIGINT +SI_KERNEL +от ядра", WAIT_MS), "no SIGINT from the kernel:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "подобран .*завершился с кодом 0", WAIT_MS), "no reap:\n%s", T.screen);
	/* (a Story line wraps onto an indented row: any space may be a line break) */
	cr_assert(tui_wait_re(&T, "лидер[[:space:]]+сеанса[[:space:]]+возвращает[[:space:]]+себе[[:space:]]+передний"
			      "[[:space:]]+план", WAIT_MS), "%s", T.screen);
	cr_assert(tui_match(T.screen, "вы +\\^C: записать 0x03 в[[:space:]]+ведущую[[:space:]]+сторону[[:space:]]+pty", NULL, 0),
		  "the user's ^C is not told in Russian:\n%s", T.screen);
	assert_rows_whole();
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
}

Test(tui_ru, the_help_overlay_in_russian)
{
	start_ru("ru-help", "echo-herd");
	cr_assert(tui_wait_re(&T, "q выход", WAIT_MS), "%s", T.screen);
	tui_keys(&T, "?");
	cr_assert(tui_wait_re(&T, "Клавиши", WAIT_MS), "no Russian help:\n%s", T.screen);
	assert_rows_whole();
	tui_keys(&T, "Escape");
	cr_assert(tui_wait_re(&T, "c клиент", WAIT_MS), "Esc did not close the help:\n%s", T.screen);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
}

/* Russian has three plural forms: 1 клиент, 2 клиента, 5 клиентов. */
Test(tui_ru, plurals_for_1_2_and_5)
{
	static const char *const want[] = {
		NULL, "[^0-9]1 клиент запущен", "[^0-9]2 клиента запущено", "[^0-9]3 клиента запущено",
		"[^0-9]4 клиента запущено", "[^0-9]5 клиентов запущено",
	};

	start_ru("ru-plural", "echo-herd");
	cr_assert(tui_wait_re(&T, "q выход", WAIT_MS), "%s", T.screen);
	cr_assert(tui_wait_re(&T, "2 экземпляра", WAIT_MS), "two instances, in the panel's title:\n%s", T.screen);
	for (int n = 1; n <= 5; n++) {
		tui_keys(&T, "c");
		cr_assert(tui_wait_re(&T, want[n], WAIT_MS), "after %d clients, no '%s':\n%s", n, want[n], T.screen);
	}
	cr_assert(tui_wait_re(&T, "[^0-9]5 ответили", WAIT_MS), "%s", T.screen);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
}

/* The Kernel's view explains a disagreement in Russian, the fd's description included. */
Test(tui_ru, the_kernels_view_explains_in_russian)
{
	start_ru("ru-kernel", "ctl-errors");
	cr_assert(tui_wait_re(&T, "EBADF", WAIT_MS), "%s", T.screen);
	tui_keys(&T, "k");
	cr_assert(tui_wait_re(&T, "только в ядре", WAIT_MS), "no Russian verdict:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "только в списке ядра: fd [0-9]+ закрыт, но файл всё ещё", WAIT_MS),
		  "the explanation is not Russian:\n%s", T.screen);
	assert_rows_whole();
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
}
