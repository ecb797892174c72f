/*
 * ksnap.c - a reading of the kernel's view, with kcheck's verdicts (see
 * ksnap.h).  Reads /proc only through kview_read; emits no record: what a
 * live /proc shows is not part of a run's recording.
 */
#include "ksnap.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kcheck.h"
#include "util.h"

/* Start empty. */
void
ksnap_init(struct ksnap *s)
{
	memset(s, 0, sizeof *s);
}

/* Release the reading and the verdicts. */
void
ksnap_free(struct ksnap *s)
{
	if (s->have)
		kview_free(&s->kv);
	free(s->e);
	free(s->prev);
	memset(s, 0, sizeof *s);
}

/* Append an entry to a growing array. */
static struct kentry *
entry_push(struct kentry **v, int *n, int *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = xreallocarray(*v, (size_t)*cap, sizeof **v);
	}
	memset(&(*v)[*n], 0, sizeof (*v)[0]);
	return &(*v)[(*n)++];
}

/*
 * The translation of a kernel_watch record's text: the reading's own words
 * for the watch when the record quotes its description (what_en), else NULL.
 */
static const char *
watch_what(const struct kview *kv, const struct trace_rec *r)
{
	int pid = r->of, epfd = r->epfd, tfd = r->fd;
	uint64_t data = r->data;

	for (int i = 0; i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];

		for (int k = 0; p->pid == pid && !p->gone && k < p->nfds; k++) {
			const struct kv_fdinfo *in = &p->fds[k].info;

			if (p->fds[k].kind != KV_EPOLL || p->fds[k].fd != epfd)
				continue;
			for (int j = 0; j < in->nw; j++)
				if (in->w[j].tfd == tfd && in->w[j].data == data && in->w[j].what && in->w[j].what_en &&
				    strcmp(in->w[j].what_en, r->text) == 0)
					return in->w[j].what;
		}
	}
	return NULL;
}

/* kcheck's callback: keep the kernel_watch verdicts (kernel_epoll is in kv itself). */
static void
collect(void *ctx, const struct trace_rec *r)
{
	struct ksnap *s = ctx;
	struct kentry *e;
	const char *what;

	if (r->type != TR_KWATCH)
		return;
	e = entry_push(&s->e, &s->ne, &s->cape);
	e->pid = r->of;
	e->epfd = r->epfd;
	e->fd = r->fd;
	e->events = r->events;
	e->data = r->data;
	e->verdict = r->verdict;
	/* The record's text is English: the kernel's side from the reading, kcheck's own sentences translated. */
	e->still_open = strstr(r->text, "still open") != NULL;
	what = watch_what(&s->kv, r);
	str_copy(e->why, what ? what : _(r->text), sizeof e->why);
}

/* Did the previous reading find the same disagreement? */
static int
seen_before(const struct ksnap *s, const struct kentry *e)
{
	for (int i = 0; i < s->nprev; i++) {
		const struct kentry *p = &s->prev[i];

		if (p->pid == e->pid && p->epfd == e->epfd && p->fd == e->fd && p->data == e->data &&
		    p->verdict == e->verdict)
			return 1;
	}
	return 0;
}

/* Confirm the disagreements found twice; remember this reading's for the next. */
static void
confirm(struct ksnap *s)
{
	int nprev = 0;

	s->ndiff = s->npending = 0;
	for (int i = 0; i < s->ne; i++) {
		struct kentry *e = &s->e[i];

		if (e->verdict == KC_AGREE)
			continue;
		e->confirmed = seen_before(s, e);
		if (e->confirmed)
			s->ndiff++;
		else
			s->npending++;
	}
	for (int i = 0; i < s->ne; i++) {
		if (s->e[i].verdict == KC_AGREE)
			continue;
		if (nprev == s->capprev) {
			s->capprev = s->capprev ? s->capprev * 2 : 32;
			s->prev = xreallocarray(s->prev, (size_t)s->capprev, sizeof *s->prev);
		}
		s->prev[nprev++] = s->e[i];
	}
	s->nprev = nprev;
}

/* Read the processes and compare with the model. */
int
ksnap_read(struct ksnap *s, const int *pids, int npids, int children, const struct model *m)
{
	struct kv_id *ids = xcalloc((size_t)npids + 1, sizeof *ids);
	int r;

	for (int i = 0; i < npids; i++)
		ids[i].pid = pids[i];
	r = ksnap_read_ids(s, ids, npids, children, m);
	free(ids);
	return r;
}

/* The same for processes known by pid and start time. */
int
ksnap_read_ids(struct ksnap *s, const struct kv_id *ids, int n, int children, const struct model *m)
{
	struct kview kv;

	if (kview_read_ids(&kv, ids, n, children) < 0)
		return -1;
	ksnap_take(s, &kv, m);
	return 0;
}

/* Make kv (moved in) the reading, and compare it with the model. */
void
ksnap_take(struct ksnap *s, struct kview *kv, const struct model *m)
{
	if (s->have)
		kview_free(&s->kv);
	s->kv = *kv;
	memset(kv, 0, sizeof *kv);
	s->have = 1;
	s->ne = 0;
	s->checked = m != NULL;
	if (m)
		kcheck(m, &s->kv, collect, s);
	confirm(s);
	s->read_at = now_ns();
}
