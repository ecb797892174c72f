/*
 * kview.h - the kernel's own view of processes' epoll instances, from /proc
 * alone: every fd and what it is, each epoll fd's interest list as
 * /proc/PID/fdinfo prints it (tfd lines), listening sockets with their
 * accept queues (sock_diag), and which epoll fds are one kernel instance,
 * told apart with kcmp(KCMP_FILE) - fdinfo shows the same anon inode for
 * all of them.  Parsers are pure and unit-tested; readers only read.
 */
#ifndef EPOLLVIZ_KVIEW_H
#define EPOLLVIZ_KVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "proctab.h"
#include "trace_rec.h"

enum kv_kind {
	KV_OTHER = 0, KV_FILE, KV_DIR, KV_CHR, KV_PIPE, KV_FIFO, KV_TCP, KV_UDP, KV_UNIX, KV_SOCKET,
	KV_EPOLL, KV_EVENTFD, KV_TIMERFD, KV_SIGNALFD, KV_INOTIFY, KV_PIDFD, KV_ANON
};

/* One tfd line of an epoll fd's fdinfo. */
struct kv_watch {
	int tfd;          /* the fd number it was registered under */
	uint32_t events;  /* as the kernel keeps them (EPOLLERR|EPOLLHUP always in) */
	uint64_t data;
	unsigned long ino;/* inode of the watched file, when printed */
	int has_ino;
	char what[128];   /* what the watched file is, when known */
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
	char link[128];   /* readlink of /proc/PID/fd/N */
	char what[128];   /* "tcp 127.0.0.1:8080 LISTEN", "pipe", ... */
	int listening;
	unsigned qlen, backlog;
	/* epoll fds only */
	struct kv_fdinfo info;
	int instance;     /* 1.. kernel instance; 0 unknown (kcmp refused) */
};

struct kv_proc {
	int pid;
	struct proc_row row;
	int gone;         /* not there (exited) */
	int err;          /* errno reading its fds (EACCES...), 0 if fine */
	struct kv_fd *fds;
	int nfds;
};

struct kview {
	struct kv_proc *p;
	int np;
	int ninstances;   /* distinct kernel instances told apart */
	int unknown;      /* epoll fds kcmp could not compare */
	int kcmp_err;     /* the errno kcmp gave, if it refused */
};

/* Parse the text of /proc/PID/fdinfo/FD.  Returns 0, or -1 if it is not fdinfo text. */
int kview_parse_fdinfo(const char *text, struct kv_fdinfo *out);
void kview_fdinfo_free(struct kv_fdinfo *fi);
/* Classify a /proc/PID/fd link ("socket:[123]", "anon_inode:[eventpoll]", a path). */
int kview_classify(const char *link, unsigned long *ino);
const char *kview_kind_name(int kind);

/* Read pids (and, with children, all their descendants).  Returns 0 (out of memory ends the process). */
int kview_read(struct kview *kv, const int *pids, int npids, int children);
void kview_free(struct kview *kv);
/* One JSON document (the documented `attach --json` format). */
void kview_json(const struct kview *kv, struct strbuf *b);
/* A plain-text report. */
void kview_text(const struct kview *kv, struct strbuf *b);

#endif
