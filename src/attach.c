/*
 * attach.c - `epollviz attach`: argument parsing and the one-shot report.
 * The live view is the TUI's (ui/), fed by the same kview_read().
 */
#include "attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "kview.h"
#include "trace_rec.h"
#include "util.h"

/* Read --children, --json and the pids; -1 after a message on a bad or missing one. */
int
attach_args(int argc, char **argv, int **pids, int *children, int *json)
{
	int n = 0;

	*children = *json = 0;
	*pids = xcalloc((size_t)argc, sizeof **pids);
	for (int i = 1; i < argc; i++) {
		long v;

		if (strcmp(argv[i], "--children") == 0) {
			*children = 1;
		} else if (strcmp(argv[i], "--json") == 0) {
			*json = 1;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, _("epollviz: attach: unknown option '%s' (known: --children, --json)\n"), argv[i]);
			goto fail;
		} else if (parse_long(argv[i], 1, 1 << 22, &v) < 0) {
			fprintf(stderr, _("epollviz: attach: '%s' is not a process id\n"), argv[i]);
			goto fail;
		} else {
			(*pids)[n++] = (int)v;
		}
	}
	if (n == 0) {
		fputs(_("epollviz: attach needs a PID\n"), stderr);
		fputs(_("usage: epollviz attach [--children] [--json] PID...\n"), stderr);
		goto fail;
	}
	return n;
fail:
	free(*pids);
	*pids = NULL;
	return -1;
}

/*
 * Say on stderr why each process of kv could not be read: a named pid that
 * is gone, or any process a read refused.  Returns how many such there were.
 */
static int
report_failures(const struct kview *kv, const int *pids, int n)
{
	int bad = 0;

	for (int i = 0; i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];
		char msg[160];
		int named = 0;

		for (int k = 0; k < n; k++)
			named |= pids[k] == p->pid;
		if (p->gone && named && !p->reused) {
			fprintf(stderr, _("epollviz: attach: no process %d\n"), p->pid);
			bad++;
		} else if (p->err) {
			fprintf(stderr, _("epollviz: attach: process %d: %s\n"), p->pid, kview_proc_error(p, msg, sizeof msg));
			bad++;
		}
	}
	return bad;
}

/* Read the kernel's view once and print it; 1 when a named process is gone or any could not be read. */
int
attach_print(const int *pids, int n, int children, int json)
{
	struct kview kv;
	struct strbuf b;
	int bad;

	kview_read(&kv, pids, n, children);
	sb_init(&b);
	if (json)
		kview_json(&kv, &b, stdout);
	else
		kview_text(&kv, &b, stdout);
	fwrite(b.s, 1, b.len, stdout);
	fflush(stdout);
	bad = report_failures(&kv, pids, n);
	sb_free(&b);
	kview_free(&kv);
	return bad ? 1 : 0;
}

/* Before the screen: 1 (and why, on stderr) when not one named process can be read. */
int
attach_check(const int *pids, int n)
{
	struct kview kv;
	int readable = 0;

	kview_read(&kv, pids, n, 0);
	for (int i = 0; i < kv.np; i++)
		readable += !kv.p[i].gone && !kv.p[i].err;
	if (readable == 0)
		report_failures(&kv, pids, n);
	kview_free(&kv);
	return readable ? 0 : 1;
}
