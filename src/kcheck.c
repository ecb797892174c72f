/*
 * kcheck.c - compare the kernel's interest lists with the traced ones (see
 * kcheck.h).  Masks are compared without EPOLLERR and EPOLLHUP, which the
 * kernel always adds.
 */
#include "kcheck.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "i18n.h"
#include "util.h"

#define ALWAYS (EPOLLERR | EPOLLHUP)

/* Fill r as a TR_KWATCH record of one watch, with its verdict and reason. */
static void
watch_rec(struct trace_rec *r, int pid, int epfd, int fd, uint32_t ev, uint64_t data, int verdict,
	  const char *why)
{
	trace_rec_init(r, TR_KWATCH);
	r->of = pid;
	r->epfd = epfd;
	r->fd = fd;
	r->events = ev;
	r->data = data;
	r->verdict = verdict;
	trace_rec_set_text(r, why);
}

/* The kernel's side of one epoll fd against the model's instance. */
static int
check_one(const struct model *m, const struct kv_proc *p, const struct kv_fd *e, trace_sink_fn emit,
	  void *ctx)
{
	const struct m_inst *in = model_inst_of(m, (uint32_t)p->pid, e->fd);
	char *matched = xcalloc(in ? (size_t)in->nw + 1 : 1, 1); /* traced watches already paired */
	struct trace_rec r;
	int bad = 0;

	trace_rec_init(&r, TR_KEPOLL);
	r.of = p->pid;
	r.epfd = e->fd;
	r.instance = e->instance;
	r.watches = e->info.nw;
	r.anon_inode = e->info.ino;
	emit(ctx, &r);
	for (int k = 0; k < e->info.nw; k++) {
		const struct kv_watch *w = &e->info.w[k];
		int found = -1;

		for (int t = 0; in && t < in->nw && found < 0; t++)
			if (in->w[t].fd == w->tfd && in->w[t].data == w->data && !matched[t])
				found = t;
		if (found < 0) {
			watch_rec(&r, p->pid, e->fd, w->tfd, w->events, w->data, KC_KERNEL_ONLY,
				  in ? w->what_en : N_("the trace never saw this epoll fd being made"));
			bad++;
		} else if ((in->w[found].events & ~ALWAYS) != (w->events & ~ALWAYS)) {
			matched[found] = 1;
			watch_rec(&r, p->pid, e->fd, w->tfd, w->events, w->data, KC_EVENTS_DIFFER,
				  w->what_en);
			bad++;
		} else {
			matched[found] = 1;
			watch_rec(&r, p->pid, e->fd, w->tfd, w->events, w->data, KC_AGREE, w->what_en);
		}
		emit(ctx, &r);
	}
	for (int t = 0; in && t < in->nw; t++) {
		if (matched[t])
			continue;
		watch_rec(&r, p->pid, e->fd, in->w[t].fd, in->w[t].events, in->w[t].data, KC_TRACE_ONLY,
			  N_("traced as registered, but the kernel no longer has it (the file was closed "
			     "for good, or the fd number now names another file)"));
		emit(ctx, &r);
		bad++;
	}
	free(matched);
	return bad;
}

/* Check every epoll fd in kv against the model; returns the total disagreements. */
int
kcheck(const struct model *m, const struct kview *kv, trace_sink_fn emit, void *ctx)
{
	int bad = 0;

	for (int i = 0; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++)
			if (kv->p[i].fds[k].kind == KV_EPOLL)
				bad += check_one(m, &kv->p[i], &kv->p[i].fds[k], emit, ctx);
	return bad;
}
