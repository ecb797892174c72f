/*
 * proctab.c - /proc readers for the process table (see proctab.h).
 */
#include "proctab.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "utf8.h"
#include "util.h"

/* src made safe for a terminal, as C escapes (see proctab.h). */
char *
proctab_escape(const void *src, size_t n, char *dst, size_t cap)
{
	static const char named[] = "\a\b\t\n\v\f\r";
	const unsigned char *s = src;
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < cap;) {
		char esc[8];
		int w = s[i] >= 0x80 ? utf8_printable(s + i, n - i) : 0;
		size_t len = 0, u = w > 0 ? (size_t)w : 0; /* a whole printable character, kept */

		if (u) {
			if (o + u >= cap)
				break;
			memcpy(dst + o, s + i, u);
			o += u;
			i += u;
			continue;
		}
		if (s[i] == '\\')
			len = (size_t)snprintf(esc, sizeof esc, "\\\\");
		else if (s[i] == 0x1b)
			len = (size_t)snprintf(esc, sizeof esc, "\\e");
		else if (s[i] >= '\a' && s[i] <= '\r')
			len = (size_t)snprintf(esc, sizeof esc, "\\%c", "abtnvfr"[strchr(named, s[i]) - named]);
		else if (s[i] < 0x20 || s[i] >= 0x7f)
			len = (size_t)snprintf(esc, sizeof esc, "\\x%02x", s[i]);
		else
			esc[len++] = (char)s[i];
		if (o + len >= cap)
			break;
		memcpy(dst + o, esc, len);
		o += len;
		i++;
	}
	dst[o] = '\0';
	return dst;
}

/* Fill row from a stat line: pid, comm (escaped, cut to 31 bytes) and the fields after it. */
int
proctab_parse_stat(const char *buf, struct proc_row *row)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	int tty;

	memset(row, 0, sizeof *row);
	if (open == NULL || close == NULL || close < open)
		return -1;
	if (sscanf(buf, "%d", &row->pid) != 1)
		return -1;
	proctab_escape(open + 1, (size_t)(close - open - 1), row->comm, sizeof row->comm);
	/* After "comm)": state ppid pgrp session tty_nr tpgid ... */
	if (sscanf(close + 1, " %c %d %d %d %d %d", &row->state, &row->ppid, &row->pgid, &row->sid,
		   &tty, &row->tpgid) != 6)
		return -1;
	/* ... flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itreal starttime */
	if (sscanf(close + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
		   &row->start) != 1)
		row->start = 0;
	row->tty_nr = tty;
	proctab_tty_name(tty, row->tty, sizeof row->tty);
	return 0;
}

/* Write the ps-style name of a tty device number into buf. */
void
proctab_tty_name(int tty_nr, char *buf, size_t cap)
{
	unsigned maj = major((dev_t)tty_nr), min = minor((dev_t)tty_nr);

	if (tty_nr == 0)
		snprintf(buf, cap, "?");
	else if (maj >= 136 && maj <= 143)
		snprintf(buf, cap, "pts/%u", (maj - 136) * 256 + min);
	else if (maj == 4 && min < 64)
		snprintf(buf, cap, "tty%u", min);
	else if (maj == 4)
		snprintf(buf, cap, "ttyS%u", min - 64);
	else
		snprintf(buf, cap, "%u:%u", maj, min);
}

/* The stat line of /proc/NAME (a pid, as text), parsed.  Returns 0, or -1 with errno. */
static int
read_stat(const char *name, struct proc_row *row)
{
	char path[64], buf[1024];

	snprintf(path, sizeof path, "/proc/%.20s/stat", name);
	if (read_text_file(path, buf, sizeof buf) < 0) {
		if (errno == ESRCH)
			errno = ENOENT;
		return -1;
	}
	if (proctab_parse_stat(buf, row) < 0) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* row->cmd from /proc/PID/cmdline (escaped), or "[comm]" for a kernel thread or a zombie. */
static void
read_cmd(struct proc_row *row)
{
	char path[64], buf[sizeof row->cmd];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/cmdline", row->pid);
	n = read_text_file(path, buf, sizeof buf);
	if (n > 0) {
		if (buf[n - 1] == '\0')
			n--;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		proctab_escape(buf, (size_t)n, row->cmd, sizeof row->cmd);
	} else {
		snprintf(row->cmd, sizeof row->cmd, "[%s]", row->comm);
	}
}

/* Read and parse /proc/PID/stat into row, leaving cmd empty; 0 or -1. */
int
proctab_read_stat(int pid, struct proc_row *row)
{
	char name[16];

	snprintf(name, sizeof name, "%d", pid);
	return read_stat(name, row);
}

/* Read pid's stat and command line into row; 0, or -1 if the stat is unreadable. */
int
proctab_read(int pid, struct proc_row *row)
{
	if (proctab_read_stat(pid, row) < 0)
		return -1;
	read_cmd(row);
	return 0;
}

/* qsort order of proc rows: by ascending pid. */
static int
cmp_pid(const void *a, const void *b)
{
	return ((const struct proc_row *)a)->pid - ((const struct proc_row *)b)->pid;
}

/* Up to max rows from /proc that keep accepts (NULL keeps all), sorted by pid. */
int
proctab_scan(proctab_keep_fn keep, void *arg, struct proc_row *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		if (!isdigit((unsigned char)de->d_name[0]) || read_stat(de->d_name, &out[n]) < 0)
			continue;
		if (keep && !keep(&out[n], arg))
			continue;
		read_cmd(&out[n]);
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof *out, cmp_pid);
	return n;
}

/* Every process's stat line, in a growing array; the count. */
int
proctab_scan_all(struct proc_row **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0, cap = 0;

	*out = NULL;
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			*out = xreallocarray(*out, (size_t)cap, sizeof **out);
		}
		if (read_stat(de->d_name, &(*out)[n]) == 0)
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(*out, (size_t)n, sizeof **out, cmp_pid);
	return n;
}

/* The first field of /proc/PID/syscall; -1 for "running", -2 if unreadable. */
long
proctab_syscall(int pid)
{
	return proctab_syscall_arg0(pid, NULL);
}

/* The same, with the call's first argument (hex in /proc/PID/syscall) in *arg0 when asked. */
long
proctab_syscall_arg0(int pid, long *arg0)
{
	char path[64], buf[256], *end;
	long nr;

	snprintf(path, sizeof path, "/proc/%d/syscall", pid);
	if (read_text_file(path, buf, sizeof buf) < 0)
		return -2;
	if (strncmp(buf, "running", 7) == 0)
		return -1;
	nr = strtol(buf, &end, 10);
	if (arg0)
		*arg0 = (long)strtoul(end, NULL, 16);
	return nr;
}

/* Where pid sleeps in the kernel (/proc/PID/wchan: "inet_csk_accept"); 0, or -1 with buf empty. */
int
proctab_wchan(int pid, char *buf, size_t cap)
{
	char path[64];

	buf[0] = '\0';
	snprintf(path, sizeof path, "/proc/%d/wchan", pid);
	if (read_text_file(path, buf, cap) < 0) {
		buf[0] = '\0';
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, "0") == 0) /* hidden, or running */
		buf[0] = '\0';
	return 0;
}

/* Read the voluntary and involuntary switch counts from /proc/PID/status; 0 or -1. */
int
proctab_ctxsw(int pid, unsigned long long *voluntary, unsigned long long *involuntary)
{
	char path[64], buf[4096], *v, *iv;

	snprintf(path, sizeof path, "/proc/%d/status", pid);
	if (read_text_file(path, buf, sizeof buf) < 0)
		return -1;
	v = strstr(buf, "\nvoluntary_ctxt_switches:");
	iv = strstr(buf, "\nnonvoluntary_ctxt_switches:");
	if (v == NULL || iv == NULL)
		return -1;
	*voluntary = strtoull(v + 26, NULL, 10);
	*involuntary = strtoull(iv + 29, NULL, 10);
	return 0;
}

/* Keep the processes of session *sid. */
int
proctab_in_session(const struct proc_row *row, void *sid)
{
	return row->sid == *(int *)sid;
}
