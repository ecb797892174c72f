/*
 * traced.h - system calls that the child roles make and trace in one step:
 * each wrapper makes the real call, emits its record with the return value
 * and errno, and leaves errno as the call set it.  Roles only; the front
 * end never calls these.
 */
#ifndef EPOLLVIZ_TRACED_H
#define EPOLLVIZ_TRACED_H

#include <stdint.h>
#include <sys/epoll.h>
#include <sys/types.h>

#include "trace.h"

int traced_epoll_create1(int flags);
int traced_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
/*
 * epoll_wait with its wait_enter and wait_return records, the role's
 * signals deliverable while it blocks, and the trace flushed only when it
 * is about to block (role_epoll_wait).
 */
int traced_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout);
int traced_close(int fd);
int traced_kill(pid_t pid, int sig);
/* A record of type with fd, ret and err: recv, send, read... */
void traced_result(int type, int fd, long long ret, int err);
/* A signal the role received (pending: found still pending at exit). */
void traced_signal(int signo, int code, int sender, int pending);
/* The signal that stopped the role (role_stop_signo), if any. */
void traced_stop_signal(void);
/* Every stop signal still pending, as records marked pending-at-exit (fact 10's redundant kill). */
void traced_pending_signals(void);
/* The record of an fd the role opened (or got) without a wrapper. */
void traced_open(int fd, int kind, const char *what, int err);
/* The record of fd (of enum open_kind) inherited from the parent. */
void traced_inherit(int fd, int kind);
/*
 * The record of a read of fd that returned n (errno, if n < 0, as the read
 * left it), with the bytes read as printable text; *r keeps the record.
 */
void traced_read(struct trace_rec *r, int fd, const void *buf, ssize_t n);

#endif
