/*
 * tui_helpers.h - driving the real epollviz binary in tmux, as a person
 * would: a private tmux server per test, send-keys, capture-pane, and
 * waits that poll the screen until a condition holds or a deadline passes
 * (never a bare sleep in place of synchronisation).  Static inline functions
 * only, with no test framework in them: included by tests/test_tui.c,
 * tests/test_tui_signals.c and bench/bench.c.
 */
#ifndef EPOLLVIZ_TUI_HELPERS_H
#define EPOLLVIZ_TUI_HELPERS_H

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TUI_SCREEN_MAX (64 * 1024)
#define TUI_POLL_MS 50

/* A row of the process-group table up to CMD: marker, PID PPID PGID SID TTY TPGID STAT (PID is sub-match 2). */
#define TUI_ROW "^(\xe2\x96\xb6 |  ) *([0-9]+) +[0-9]+ +[0-9]+ +[0-9]+ +pts/[0-9]+ +[0-9]+ +[A-Za-z+]+ +"

struct tui {
	char sock[64];
	char bin[1024];
	char scenarios[1024];
	int started;
	char stty_dir[64]; /* tui_start_stty's scratch directory, removed by tui_kill */
	char locale[32];   /* LC_ALL of the program: C.UTF-8 unless a test says otherwise */
	char locpath[96];  /* LOCPATH for it (a locale built by tui_ru_locale), or "" */
	char screen[TUI_SCREEN_MAX];
};

static inline uint64_t
tui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline void
tui_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Run a shell command; returns its exit status (or -1). */
static inline int
tui_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int
tui_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st < 0 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* Fill t from the environment make test sets. */
static inline void
tui_init(struct tui *t, const char *name)
{
	const char *bin = getenv("EPOLLVIZ_BIN"), *scn = getenv("EPOLLVIZ_SCENARIOS");
	static unsigned counter;

	memset(t, 0, sizeof *t);
	snprintf(t->sock, sizeof t->sock, "evz-%s-%d-%u", name, (int)getpid(), ++counter);
	snprintf(t->bin, sizeof t->bin, "%s", bin ? bin : "./epollviz");
	snprintf(t->scenarios, sizeof t->scenarios, "%s", scn ? scn : "scenarios");
	snprintf(t->locale, sizeof t->locale, "C.UTF-8");
}

/*
 * A ru_RU.UTF-8 locale for the Russian screen tests: the system's when it
 * has one, else built from Debian's locale source (package locales) with
 * localedef into dir (a fresh directory, made here; no root needed) and
 * used through LOCPATH.  Returns 0 with locpath set ("" for the system's),
 * or -1 with why it cannot (the test then skips, saying so).
 */
static inline int
tui_ru_locale(char *locpath, size_t cap, char *why, size_t whycap)
{
	locpath[0] = '\0';
	if (tui_sh("locale -a 2>/dev/null | grep -qix 'ru_RU.utf8'") == 0)
		return 0;
	if (access("/usr/share/i18n/locales/ru_RU", R_OK) != 0) {
		snprintf(why, whycap, "no ru_RU.UTF-8 locale and no /usr/share/i18n/locales/ru_RU to build one "
			 "(Debian package locales; scripts/deps.sh test installs it)");
		return -1;
	}
	snprintf(locpath, cap, "/tmp/epollviz-ru-XXXXXX");
	if (mkdtemp(locpath) == NULL) {
		snprintf(why, whycap, "mkdtemp: %s", strerror(errno));
		locpath[0] = '\0';
		return -1;
	}
	if (tui_sh("localedef -i ru_RU -f UTF-8 '%s/ru_RU.UTF-8' >/dev/null 2>&1", locpath) != 0) {
		snprintf(why, whycap, "localedef -i ru_RU -f UTF-8 failed");
		tui_sh("rm -rf '%s'", locpath);
		locpath[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Start a detached 100x30 tmux session running shell command cmd (a %s in
 * cmd is replaced by the environment and the binary), with remain-on-exit
 * so the last screen stays readable after the program ends.
 */
static inline int
tui_start(struct tui *t, int cols, int rows, const char *args, const char *before, const char *after)
{
	int st;

	st = tui_sh("tmux -L %s -f /dev/null new-session -d -x %d -y %d "
		    "\"%s%s%s%s%sLC_ALL=%s LANGUAGE= EPOLLVIZ_SCENARIOS='%s' '%s' %s; echo EPOLLVIZ-EXIT=\\$?%s%s\" "
		    "\\; set-option -g remain-on-exit on >/dev/null 2>&1",
		    t->sock, cols, rows, before ? before : "", before ? "; " : "", t->locpath[0] ? "LOCPATH='" : "",
		    t->locpath, t->locpath[0] ? "' " : "", t->locale, t->scenarios, t->bin,
		    args ? args : "", after ? "; " : "", after ? after : "");
	t->started = st == 0;
	return st;
}

/*
 * tui_start, with `stty -a` written before the program runs and after it
 * ends, into a scratch directory (tui_stty_same compares them).  The second
 * is written under another name and renamed when stty has finished: the
 * shell creates a redirection's file before stty runs, so its mere existence
 * says nothing about its contents.
 */
static inline int
tui_start_stty(struct tui *t, int cols, int rows, const char *args)
{
	char pre[128], post[256];

	snprintf(t->stty_dir, sizeof t->stty_dir, "/tmp/epollviz-tui-XXXXXX");
	if (mkdtemp(t->stty_dir) == NULL) {
		t->stty_dir[0] = '\0';
		return -1;
	}
	snprintf(pre, sizeof pre, "stty -a > '%s/before'", t->stty_dir);
	snprintf(post, sizeof post, "stty -a > '%s/after.part' && mv '%s/after.part' '%s/after'", t->stty_dir,
		 t->stty_dir, t->stty_dir);
	return tui_start(t, cols, rows, args, pre, post);
}

/* End the test's tmux server and remove tui_start_stty's directory. */
static inline void
tui_kill(struct tui *t)
{
	if (t->started)
		tui_sh("tmux -L %s kill-server >/dev/null 2>&1", t->sock);
	t->started = 0;
	if (t->stty_dir[0])
		tui_sh("rm -rf '%s'", t->stty_dir);
	t->stty_dir[0] = '\0';
}

/*
 * Capture the visible screen into t->screen (with history: the lines that
 * scrolled off too, for what the pane's shell printed after the program).
 */
static inline const char *
tui_capture_opt(struct tui *t, int history)
{
	char cmd[256];
	FILE *f;
	size_t n = 0;

	/*
	 * With the history, rows the terminal wrapped are joined (-J): after a
	 * SIGKILL nobody restores the screen, the shell prints wherever the
	 * cursor was left, and a long build path can push "EPOLLVIZ-EXIT=" to
	 * the end of one row and its status onto the next.
	 */
	snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p%s 2>/dev/null", t->sock,
		 history ? " -J -S -200" : "");
	t->screen[0] = '\0';
	f = popen(cmd, "r");
	if (f == NULL)
		return t->screen;
	n = fread(t->screen, 1, sizeof t->screen - 1, f);
	t->screen[n] = '\0';
	pclose(f);
	return t->screen;
}

static inline const char *
tui_capture(struct tui *t)
{
	return tui_capture_opt(t, 0);
}

/* send-keys with tmux key names ("c", "C-c", "Enter", "Down"). */
static inline void
tui_keys(struct tui *t, const char *keys)
{
	tui_sh("tmux -L %s send-keys %s", t->sock, keys);
}

/* Does s match the extended regular expression re?  Sub-matches into m (may be NULL). */
static inline int
tui_match(const char *s, const char *re, regmatch_t *m, size_t nm)
{
	regex_t rx;
	int ok;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE | (m ? 0 : REG_NOSUB)) != 0)
		return 0;
	ok = regexec(&rx, s, m ? nm : 0, m, 0) == 0;
	regfree(&rx);
	return ok;
}

/* The integer of sub-match i. */
static inline long
tui_num(const char *s, const regmatch_t *m, int i)
{
	char buf[32];
	int n = m[i].rm_eo - m[i].rm_so, k = 0;

	for (int j = 0; j < n && k < 31; j++)
		if (s[m[i].rm_so + j] != ',')
			buf[k++] = s[m[i].rm_so + j];
	buf[k] = '\0';
	return strtol(buf, NULL, 10);
}

typedef int (*tui_pred_fn)(struct tui *t, void *arg);

/* Poll the screen until pred says yes or ms pass.  Returns 1 if it did. */
static inline int
tui_wait(struct tui *t, tui_pred_fn pred, void *arg, int ms)
{
	uint64_t end = tui_now_ms() + (uint64_t)ms;

	for (;;) {
		tui_capture(t);
		if (pred(t, arg))
			return 1;
		if (tui_now_ms() >= end)
			return 0;
		tui_pause_ms(TUI_POLL_MS);
	}
}

static inline int
pred_regex(struct tui *t, void *arg)
{
	return tui_match(t->screen, arg, NULL, 0);
}

/* Wait until the screen matches re. */
static inline int
tui_wait_re(struct tui *t, const char *re, int ms)
{
	return tui_wait(t, pred_regex, (void *)re, ms);
}

/*
 * Capture until two captures TUI_POLL_MS apart are the same, or ms pass:
 * tmux applies what the program writes as it reads it, so a capture can
 * catch a frame half drawn (the new title over the old panels).  A predicate
 * that matched one part of the screen says nothing of the rest until the
 * frame is whole.  Returns 1 when the screen held still; T.screen is the
 * last capture either way.
 */
static inline int
tui_settle(struct tui *t, int ms)
{
	static char prev[TUI_SCREEN_MAX];
	uint64_t end = tui_now_ms() + (uint64_t)ms;

	snprintf(prev, sizeof prev, "%s", tui_capture(t));
	for (;;) {
		tui_pause_ms(TUI_POLL_MS);
		if (strcmp(tui_capture(t), prev) == 0)
			return 1;
		if (tui_now_ms() >= end)
			return 0;
		snprintf(prev, sizeof prev, "%s", t->screen);
	}
}

/* Is the screen's second row, the top panel's title, "─ " followed by arg ("8 Story")? */
static inline int
tui_pred_top_title(struct tui *t, void *arg)
{
	const char *nl = strchr(t->screen, '\n');

	return nl && strncmp(nl + 1, "\xe2\x94\x80 ", 4) == 0 && strncmp(nl + 5, arg, strlen(arg)) == 0;
}

/*
 * Zoom the panel titled title ("8 Story") with its key, or unzoom it
 * (zoomed = 0): press the key until the screen shows it so, looking before
 * each press (a key that came before the panel applied does nothing).
 * Returns 1 when it did, with the frame whole (tui_settle): the title row
 * is drawn before the rows under it.
 */
static inline int
tui_zoom(struct tui *t, const char *key, const char *title, int zoomed, int ms)
{
	int done = 0;

	for (int i = 0; i < 4 && !done; i++) {
		tui_capture(t);
		if ((done = tui_pred_top_title(t, (void *)title) == zoomed))
			break;
		tui_keys(t, key);
		for (uint64_t end = tui_now_ms() + (uint64_t)ms / 4; !done && tui_now_ms() < end;
		     tui_pause_ms(TUI_POLL_MS)) {
			tui_capture(t);
			done = tui_pred_top_title(t, (void *)title) == zoomed;
		}
	}
	if (done)
		tui_settle(t, ms / 4);
	return done;
}

/* The pane's shell printed the exit status (it may have scrolled into the history). */
static inline int
tui_pred_exited(struct tui *t, void *arg)
{
	(void)arg;
	return tui_match(tui_capture_opt(t, 1), "EPOLLVIZ-EXIT=[0-9]+", NULL, 0);
}

/*
 * After the program ended: did `stty -a` print the same before and after?
 * The pane's shell runs the second stty after the exit line; wait for its
 * whole output (the rename of tui_start_stty), with a generous deadline: on
 * a busy machine the fork and exec of stty can take seconds.
 */
#define TUI_STTY_MS 30000

static inline int
tui_stty_same(struct tui *t)
{
	char before[96], after[96];
	uint64_t end = tui_now_ms() + TUI_STTY_MS;

	snprintf(before, sizeof before, "%s/before", t->stty_dir);
	snprintf(after, sizeof after, "%s/after", t->stty_dir);
	while (access(after, R_OK) != 0 && tui_now_ms() < end)
		tui_pause_ms(TUI_POLL_MS);
	return t->stty_dir[0] && access(before, R_OK) == 0 && tui_sh("cmp -s '%s' '%s'", before, after) == 0;
}

/* The pids of the process-group table's rows whose command matches cmd_re; how many (at most max). */
static inline int
tui_table_pids(const char *s, const char *cmd_re, long *pids, int max)
{
	char re[512];
	regmatch_t m[3];
	int n = 0;

	snprintf(re, sizeof re, TUI_ROW "%s", cmd_re);
	while (n < max && tui_match(s, re, m, 3)) {
		pids[n++] = tui_num(s, m, 2);
		s += m[0].rm_eo;
	}
	return n;
}

/* The epollviz process the tmux pane's shell started (a child of the pane's pid), or 0. */
static inline long
tui_front_pid(struct tui *t)
{
	char cmd[160], line[64];
	long pane = 0, found = 0;
	FILE *p;
	DIR *d;
	struct dirent *de;

	snprintf(cmd, sizeof cmd, "tmux -L %s list-panes -F '#{pane_pid}'", t->sock);
	p = popen(cmd, "r");
	if (p && fgets(line, sizeof line, p))
		pane = atol(line);
	if (p)
		pclose(p);
	d = opendir("/proc");
	while (pane > 0 && d && (de = readdir(d)) != NULL && !found) {
		char path[300], buf[512], *rp;
		long ppid;
		FILE *f;

		snprintf(path, sizeof path, "/proc/%.20s/stat", de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) && strstr(buf, "(epollviz)") && (rp = strrchr(buf, ')')) &&
		    sscanf(rp + 2, "%*c %ld", &ppid) == 1 && ppid == pane)
			found = atol(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* Is pid alive?  (A zombie counts as gone: it has exited.) */
static inline int
tui_pid_alive(int pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

#endif
