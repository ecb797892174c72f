/*
 * After a failed test, its failed assertion's place and first line once
 * more, just before Criterion's [FAIL] line.
 *
 * Most screen tests print the whole screen (30 or 45 rows) after their
 * reason, so the reason and the file:line Criterion puts above it scroll out
 * of whatever shows only the end of the output (a CI excerpt, a terminal's
 * last page).  This line keeps them at the end.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <string.h>

ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	for (struct criterion_assert_stats *a = stats->asserts; a != NULL; a = a->next) {
		const char *m = a->message != NULL ? a->message : "";

		if (!a->passed)
			fprintf(stderr, "[----] ^ %s:%u: %.*s\n", a->file, a->line, (int)strcspn(m, "\n"), m);
	}
}
