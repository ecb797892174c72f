/*
 * tracefmt.h - turning trace records into text: JSON Lines for --json, one
 * strace-like line for the plain headless output, and the names of epoll
 * masks and ops that the screen also uses.  No I/O.
 */
#ifndef EPOLLVIZ_TRACEFMT_H
#define EPOLLVIZ_TRACEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

/* A growable string.  Never fails: out of memory ends the process. */
struct strbuf {
	char *s;
	size_t len, cap;
};

void sb_init(struct strbuf *b);
void sb_free(struct strbuf *b);
void sb_reset(struct strbuf *b);
void sb_add(struct strbuf *b, const char *s);
void sb_addn(struct strbuf *b, const char *s, size_t n);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal, quotes included. */
void sb_json_str(struct strbuf *b, const char *s);

/* "IN|ET|HUP" (short=1) or "EPOLLIN|EPOLLET" (short=0) into buf; "0" if empty. */
const char *epoll_mask_str(uint32_t mask, int short_names, char *buf, size_t cap);
/* Append a JSON array of mask names: ["EPOLLIN","EPOLLET"]. */
void sb_json_mask(struct strbuf *b, uint32_t mask);
/* "EPOLL_CTL_ADD" (short=0) or "ADD" (short=1). */
const char *epoll_op_name(int op, int short_name);
const char *reap_how_name(int how);
const char *job_event_name(int ev);
const char *client_event_name(int ev);
const char *action_state_name(int st);
const char *open_kind_name(int kind);
const char *stray_reason_name(int reason);
const char *kcheck_verdict_name(int v);

/* Append r as one JSON object (no newline). */
void trace_format_json(struct strbuf *b, const struct trace_rec *r);
/* Append r as one human line (no newline); t0 is the run's start time. */
void trace_format_text(struct strbuf *b, const struct trace_rec *r, uint64_t t0);

#endif
