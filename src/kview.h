/*
 * kview.h - the kernel's own view of processes' epoll instances, from /proc
 * alone: every fd and what it is, each epoll fd's interest list as
 * /proc/PID/fdinfo prints it (tfd lines), sockets with their queues
 * (sock_diag, in each process's own network namespace), and which epoll
 * fds are one kernel instance, told apart with kcmp(KCMP_FILE) - fdinfo
 * shows the same anon inode for all of them.  Parsers are pure and
 * unit-tested; readers only read.
 *
 * Scale: nothing is capped.  fdinfo is read whole, however long; machine
 * tables (sockets, processes) are read once per reading and searched by
 * key, so a reading costs O(F log M) for F fds of the targets and M
 * sockets of their namespaces.  Every string that comes from /proc (a
 * command line, a path, a socket name) is escaped (proctab_escape) before
 * it is stored: nothing here can write a control character to a terminal.
 */
#ifndef EPOLLVIZ_KVIEW_H
#define EPOLLVIZ_KVIEW_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "proctab.h"
#include "trace_rec.h"

enum kv_kind {
	KV_OTHER = 0, KV_FILE, KV_DIR, KV_CHR, KV_PIPE, KV_FIFO, KV_TCP, KV_UDP, KV_UNIX, KV_SOCKET,
	KV_EPOLL, KV_EVENTFD, KV_TIMERFD, KV_SIGNALFD, KV_INOTIFY, KV_PIDFD, KV_ANON, KV_NETLINK
};

/* One tfd line of an epoll fd's fdinfo. */
struct kv_watch {
	int tfd;          /* the fd number it was registered under */
	uint32_t events;  /* as the kernel keeps them (EPOLLERR|EPOLLHUP always in) */
	uint64_t data;
	unsigned long ino;/* inode of the watched file, when printed */
	int has_ino;
	int stale;        /* the fd number no longer names the registered file (closed, or another file) */
	/*
	 * What the watched file is, when known ("" when not): the what and
	 * what_en of the fd that holds it (at most 255 and 159 bytes), or text
	 * of the watch's own, in its kview's texts, when its fd number no
	 * longer names it.
	 * Pointers, not copies: 20 000 watches would be 8 MB of copies.
	 */
	const char *what;    /* in the user's language (for people) */
	const char *what_en; /* the same in English, stable: for JSON and trace records */
};

/* Header and watches of an epoll fd's fdinfo. */
struct kv_fdinfo {
	unsigned long pos;
	unsigned long flags;
	unsigned long mnt_id;
	unsigned long ino;
	int nw;
	struct kv_watch *w; /* malloc'd */
};

struct kv_fd {
	int fd;
	int kind;
	unsigned long ino;
	/*
	 * "tcp 127.0.0.1:8080 LISTEN (queue 0 of 511)", "pipe (read end)",
	 * "file PATH" ... in the user's language (for people, at most 255
	 * bytes), and the same in English, stable: for JSON and trace records
	 * (at most 159).  Both in the reading's text blocks (texts), often the
	 * same text: never NULL.
	 */
	const char *what;
	const char *what_en;
	int listening;
	unsigned qlen, backlog;
	int no_backlog;   /* the backlog is unknown (read from /proc/PID/net text) */
	int has_q;        /* a socket that is not listening: its Recv-Q and Send-Q */
	unsigned recvq, sendq;
	unsigned long peer; /* a unix socket's peer inode */
	unsigned flags;   /* fdinfo flags (O_RDONLY...) of the kinds whose fdinfo is read */
	/* epoll fds only */
	struct kv_fdinfo info;
	int instance;     /* 1.. kernel instance; 0 unknown (kcmp refused) */
};

struct kv_proc {
	unsigned long long start; /* start time (clock ticks since boot): pid + start is the process */
	struct kv_fd *fds;
	struct proc_row row;
	int pid;
	int gone;         /* not there (exited) */
	int reused;       /* gone, and its pid is now another process's (listed after it) */
	int newcomer;     /* listed after a named pid's gone process: whoever has that pid now */
	int err;          /* errno reading it (EACCES...), 0 if fine */
	int err_fd;       /* (kview.c) the fd of that file, -1 for the process's own (stat, fd/) */
	int nfds;
	char err_path[64];/* the file that refused: "/proc/1/fd/3" */
};

/* A process as a screen remembers it: pid, and its start time (0: whichever has the pid). */
struct kv_id {
	int pid;
	unsigned long long start;
	int descendant; /* found as a descendant (--children), not named: its reused pid is nobody we follow */
};

struct kview {
	struct kv_proc *p;
	int np;
	int ninstances;   /* distinct kernel instances told apart */
	int unknown;      /* epoll fds kcmp could not compare */
	int kcmp_err;     /* the errno kcmp gave, if it refused */
	struct kv_block *texts; /* (kview.c's) the blocks the fds' and watches' texts are in; freed with it */
};

/* Parse the text of /proc/PID/fdinfo/FD.  Returns 0, or -1 if it is not fdinfo text. */
int kview_parse_fdinfo(const char *text, struct kv_fdinfo *out);
void kview_fdinfo_free(struct kv_fdinfo *fi);
/* Classify a /proc/PID/fd link ("socket:[123]", "anon_inode:[eventpoll]", a path). */
int kview_classify(const char *link, unsigned long *ino);
const char *kview_kind_name(int kind);

/* Read pids (and, with children, all their descendants).  Returns 0 (out of memory ends the process). */
int kview_read(struct kview *kv, const int *pids, int npids, int children);
/*
 * The same for processes known by pid and start time: one whose pid now
 * names another process is listed gone (reused), and, for a named one, the
 * new one after it.  A descendant's pid that came round again names an
 * unrelated process: it is listed only if it is a descendant itself, and
 * descendants are looked for only below processes that are still the ones
 * named or found.
 */
int kview_read_ids(struct kview *kv, const struct kv_id *ids, int n, int children);
/* A process's error as "EACCES: cannot read /proc/1/fd/3: Permission denied", translated, into buf. */
const char *kview_proc_error(const struct kv_proc *p, char *buf, size_t cap);
void kview_free(struct kview *kv);
/*
 * One JSON document (the documented `attach --json` format), appended to b.
 * With out (not NULL), b is written to out and emptied each time it holds
 * 64 KiB, so that only the rest is left in b: write it after.
 */
void kview_json(const struct kview *kv, struct strbuf *b, FILE *out);
/* A plain-text report, in the user's language; b and out as kview_json's. */
void kview_text(const struct kview *kv, struct strbuf *b, FILE *out);

#endif
