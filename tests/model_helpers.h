/*
 * model_helpers.h - what the unit tests of the model and the panels share:
 * one model under test, records stamped by a fake clock, and a panel drawn
 * into memory (no terminal) as one string.
 */
#ifndef EPOLLVIZ_TESTS_MODEL_HELPERS_H
#define EPOLLVIZ_TESTS_MODEL_HELPERS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "scenario.h"
#include "trace.h"
#include "../ui/panel.h"

static struct model *M;
static uint64_t clock_ns;

/* A record of pid, stamped with the next tick of the fake clock. */
static inline struct trace_rec *
rec(int type, uint32_t pid)
{
	static struct trace_rec r;

	trace_rec_init(&r, type);
	r.pid = pid;
	clock_ns += 1000;
	r.ts_ns = clock_ns;
	return &r;
}

/*
 * Everything panel id draws from M at w columns, its title included, as one
 * string: the title and each line followed by sep.  sc may be NULL (no
 * scenario file).
 */
static inline const char *
panel_text(int id, int w, const struct scenario *sc, const char *sep)
{
	static char all[64 * 1024];
	static const struct scenario none;
	struct panel p;
	struct view v;
	size_t len;

	memset(&v, 0, sizeof v);
	v.mode = VIEW_LIVE;
	v.m = M;
	v.sc = sc ? sc : &none;
	v.now = clock_ns;
	panel_init(&p, id);
	p.ops->draw(&p, &v, w);
	len = (size_t)snprintf(all, sizeof all, "%s%s", p.L.title, sep);
	for (int i = 0; i < p.L.n && len < sizeof all; i++)
		len += (size_t)snprintf(all + len, sizeof all - len, "%s%s", p.L.v[i].s, sep);
	panel_free(&p);
	return all;
}

/* Does s, drawn by panel id, say want? */
static inline void
panel_says(int id, const char *s, const char *want)
{
	cr_assert_not_null(strstr(s, want), "panel %s does not say \"%s\":\n%s", panel_ops_of(id)->name, want, s);
}

#endif
