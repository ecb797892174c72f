/*
 * panel_tty.c - "Terminal": what the children printed on the session's
 * pseudo-terminal, as the user of the notes saw it in their shell; oldest
 * at the top, the line being written at the bottom.
 */
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "crt.h"
#include "panel.h"

/* Fill the panel from the model's tty ring. */
static void
tty_draw(struct panel *pn, const struct view *v, int w)
{
	const struct model *m = v->m;
	struct lines *L = &pn->L;
	int64_t avail = (int64_t)(m->ntty < M_TTY_LINES - 1 ? m->ntty : M_TTY_LINES - 1);
	const char *partial = model_tty_back(m, -1);

	(void)w;
	lines_reset(L);
	if (v->session > 0)
		/* TRANSLATORS: after the Terminal panel's title, on its top rule; %d: the session id. */
		snprintf(L->title, sizeof L->title, _("of session %d"), (int)v->session);
	for (int64_t k = avail; k-- > 0;) {
		const char *s = model_tty_back(m, k);

		lines_add(L);
		if (s)
			lines_put(L, strncmp(s, "$ ", 2) == 0 ? CS_TITLE : CS_NORMAL, s);
	}
	if (partial && partial[0]) {
		lines_add(L);
		lines_put(L, strncmp(partial, "$ ", 2) == 0 ? CS_TITLE : CS_NORMAL, partial);
	}
	L->total = m->ntty;
	if (L->n == 0) {
		lines_add(L);
		/* TRANSLATORS: the Terminal panel while the scenario's processes have printed nothing. */
		lines_put(L, CS_DIM, _("nothing printed yet"));
	}
}

const struct panel_ops panel_tty_ops = {
	/* TRANSLATORS: a panel's title (what the scenario's processes printed on their pty): at most 14 columns. */
	.name = N_("Terminal"),
	.key = '7',
	.help = N_("What the children printed on their pseudo-terminal (the session's tty), as the "
		"user of the notes saw it in their shell: the '$ ' lines are the session leader "
		"starting jobs, then each process's own messages."),
	.fact = N_("The scenario runs in a real session on a pty of its own, so process groups, "
		"the foreground group and Ctrl+C behave exactly as in a shell."),
	.applies = panel_in_scenario,
	.col = PC_RIGHT,
	.order = 5,
	.min_h = 3,
	.flex = 1,
	.spare = 1, /* the Story says what matters of it */
	.bottom = 1,
	.wrap = 1,
	.draw = tty_draw,
};
