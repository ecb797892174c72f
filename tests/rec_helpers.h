/*
 * rec_helpers.h - what the unit tests of the trace codec and of the emitter
 * share: a decoded record held against the one that was encoded, field by
 * field as the type's table names them.
 */
#ifndef EPOLLVIZ_TESTS_REC_HELPERS_H
#define EPOLLVIZ_TESTS_REC_HELPERS_H

#include <criterion/criterion.h>

#include "trace_rec.h"

/* The header and every field the type's table names; the slots it does not name stay at their defaults. */
static void
assert_fixed_eq(const struct trace_rec *got, const struct trace_rec *want, uint64_t seq)
{
	const char *tn = trace_rec_type_name(want->type);
	const struct rec_type *t = trace_rec_type(want->type);

	cr_assert_eq(got->type, want->type, "%s: type %d, want %d", tn, got->type, want->type);
	cr_assert_eq(got->pid, want->pid, "%s: pid %u, want %u", tn, got->pid, want->pid);
	cr_assert_eq(got->tid, want->tid, "%s: tid %u, want %u", tn, got->tid, want->tid);
	cr_assert_eq(got->seq, seq, "%s: seq %llu, want %llu", tn, (unsigned long long)got->seq,
		     (unsigned long long)seq);
	cr_assert_eq(got->ts_ns, want->ts_ns, "%s: ts_ns differs", tn);
	cr_assert_not_null(t, "type %d has no table entry", want->type);
	for (int i = 0; i < REC_MAX_FIELDS && t->f[i].name; i++) {
		const struct rec_field *f = &t->f[i];

		if (f->kind == RK_TEXT || f->kind == RK_PAIRS)
			continue;
		cr_assert_eq(trace_rec_field(got, f), trace_rec_field(want, f), "%s: field %s is %lld, want %lld",
			     tn, f->name, (long long)trace_rec_field(got, f), (long long)trace_rec_field(want, f));
	}
	if (!trace_rec_type_has(want->type, RK_TEXT))
		cr_assert_str_eq(got->text, "", "%s: text '%s' in a type without text", tn, got->text);
	if (!trace_rec_type_has(want->type, RK_PAIRS))
		cr_assert_eq(got->npairs, 0, "%s: %d pairs in a type without pairs", tn, got->npairs);
}

/* The (events, data) pairs of a wait return. */
static void
assert_pairs_eq(const struct trace_rec *got, const struct trace_rec *want)
{
	cr_assert_eq(got->npairs, want->npairs, "npairs %d, want %d", got->npairs, want->npairs);
	for (int i = 0; i < want->npairs; i++) {
		cr_assert_eq(got->pairs[i].events, want->pairs[i].events,
			     "pair %d of %d: events %#x, want %#x", i, want->npairs,
			     got->pairs[i].events, want->pairs[i].events);
		cr_assert_eq(got->pairs[i].data, want->pairs[i].data,
			     "pair %d of %d: data %llu, want %llu", i, want->npairs,
			     (unsigned long long)got->pairs[i].data,
			     (unsigned long long)want->pairs[i].data);
	}
}

#endif
