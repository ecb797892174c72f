/*
 * scene.c - what a running scenario and a replay share on the screen (see
 * scene.h).  Draws from the model and the view only.
 */
#include "scene.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/util.h"
#include "crt.h"
#include "keys.h"
#include "layout.h"
#include "screen.h"

#define KEY_ESC 27
#define SCENE_TALL 24 /* from this many rows on, the key line may take two */

/* A scene of sc, the focus on the timeline. */
void
scene_init(struct scene *s, const struct scenario *sc, int mode)
{
	memset(s, 0, sizeof *s);
	s->sc = *sc;
	s->mode = mode;
	s->m = model_new();
	deck_init(&s->d, P_WAIT);
	s->full = 1;
}

/* Free the model, the panels and the help. */
void
scene_free(struct scene *s)
{
	deck_free(&s->d);
	model_free(s->m);
	help_free(&s->help);
	s->m = NULL;
}

/* The kernel's view and the epoll instances share a place: show the other one there. */
void
scene_kernel_toggle(struct scene *s)
{
	s->kernel = !s->kernel;
	if (s->d.zoom == P_EPOLL || s->d.zoom == P_KERN)
		s->d.zoom = s->kernel ? P_KERN : P_EPOLL;
	if (s->d.focus == P_EPOLL || s->d.focus == P_KERN)
		s->d.focus = s->kernel ? P_KERN : P_EPOLL;
	s->d.panels[P_KERN].hwm = 0;
	s->d.panels[P_EPOLL].hwm = 0;
}

/* The keys every scene has. */
int
scene_key(struct scene *s, int key, int *used)
{
	int id = panel_of_key(key);

	*used = 1;
	s->full = 1; /* a key the scene takes changes what the panels show: redraw even when paused */
	if (s->help.open) {
		help_key(&s->help, key);
		return SCREEN_NONE;
	}
	switch (key) {
	case 'q': return SCREEN_QUIT;
	case 'r': return SCREEN_RESTART;
	case KEY_ESC:
		if (!deck_unzoom(&s->d))
			return s->mode == VIEW_REPLAY ? SCREEN_QUIT : SCREEN_PICKER;
		return SCREEN_NONE;
	case '?': help_toggle(&s->help); return SCREEN_NONE;
	case 'k': scene_kernel_toggle(s); return SCREEN_NONE;
	}
	/* A twin's key shows its panel in the place the two share. */
	if ((id == P_KERN && !s->kernel) || (id == P_EPOLL && s->kernel)) {
		scene_kernel_toggle(s);
		if (s->d.zoom == id)
			return SCREEN_NONE; /* its twin was zoomed: this one is now, as the key asks */
	}
	*used = 0;
	s->full = 0;
	return SCREEN_NONE;
}

/*
 * The title bar: the notice at the right first (PAUSED, REC, lost records
 * matter more than rates), then as many of the text's fields, separated by
 * " | ", as fit in what is left; the last ones go first.
 */
void
scene_render_bar(struct scene *s, const char *bar, const struct scene_notice *notice)
{
	char text[SCENE_BAR_MAX], sep[16];
	int rw = notice ? lines_cols(notice->text) : 0, room;

	if (rw > COLS)
		rw = COLS;
	room = COLS - (rw > 0 ? rw + 1 : 0);
	str_copy(s->bar, bar, sizeof s->bar);
	str_copy(text, bar, sizeof text);
	snprintf(sep, sizeof sep, " %s ", crt_g(G_VLINE));
	while (lines_cols(text) > room) {
		char *cut = NULL;

		for (char *p = strstr(text, sep); p; p = strstr(p + 1, sep))
			cut = p;
		if (cut == NULL)
			break;
		*cut = '\0';
	}
	attrset(crt_attr(CS_BAR));
	mvhline(0, 0, ' ', COLS);
	attrset(A_NORMAL);
	draw_text(0, 0, room, CS_BAR, text);
	if (rw > 0)
		draw_text(0, COLS - rw, rw, notice->style, notice->text);
}

/* The red row of a replay whose file ends early. */
static void
render_error(int y, const char *error)
{
	char buf[1024];

	snprintf(buf, sizeof buf, " %s ", error);
	attrset(crt_attr(CS_ERR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	draw_text(y, 0, COLS, CS_ERR, buf);
}

/* " hidden: 3 5 " for the panels the layout had no room for, or "". */
static void
hidden_text(const struct scene *s, char *buf, size_t cap)
{
	int len;

	buf[0] = '\0';
	if (s->d.lo.nhidden == 0 || s->d.zoom >= 0)
		return;
	/* TRANSLATORS: at the bottom right, followed by the keys of the panels there was no room for (" hidden: 3 5 "); short. */
	len = snprintf(buf, cap, " %s", _("hidden:"));
	for (int i = 0; i < s->d.lo.nhidden && len < (int)cap - 4; i++)
		len += snprintf(buf + len, cap - (size_t)len, " %c", panel_ops_of(s->d.lo.hidden[i])->key);
	snprintf(buf + len, cap - (size_t)len, " ");
}

/* Draw a frame. */
void
scene_render(struct scene *s, const struct view *v, const char *bar, const struct scene_notice *notice,
	     int panels, const char *error)
{
	struct keys_ctx kc = { s->mode == VIEW_REPLAY ? KM_REPLAY : KM_LIVE, &s->sc, s->m, s->act, 0 };
	/* Two key rows when the terminal is tall enough and one would drop keys. */
	int krows = keys_rows(COLS, LINES >= SCENE_TALL ? 2 : 1, &kc);
	int erows = error ? 1 : 0;
	struct rect area = { 1, 0, LINES - 1 - krows - erows, COLS };
	int hide[P__COUNT] = { 0 };
	char hidden[64];

	hide[s->kernel ? P_EPOLL : P_KERN] = 1;
	if (panels || s->full) {
		erase();
		deck_render(&s->d, hide, area, v);
		s->full = 0;
	}
	scene_render_bar(s, bar, notice);
	if (error)
		render_error(LINES - krows - erows, error);
	hidden_text(s, hidden, sizeof hidden);
	keys_render(LINES - krows, COLS - lines_cols(hidden), krows, &kc);
	if (hidden[0])
		draw_text(LINES - 1, COLS - lines_cols(hidden), lines_cols(hidden), CS_WARN, hidden);
	if (s->help.open) {
		struct help_ctx hc = { kc, s->d.applies };

		hc.keys.all = 1; /* the help lists every key of the scenario, and why one cannot act now */

		help_render(&s->help, LINES, COLS, &hc);
	}
}
