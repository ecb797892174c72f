/*
 * keys.h - the keys of every screen as the key line and the help show
 * them: first the actions of src/action.c that apply (running screen
 * only), then the screen's own keys (one table in keys.c: pause, steps,
 * focus, zoom, help, quit...).  The dispatch of a screen's own keys is in
 * that screen's file; an action key starts its action (action_key_press).
 */
#ifndef EPOLLVIZ_UI_KEYS_H
#define EPOLLVIZ_UI_KEYS_H

#include "../src/model.h"
#include "../src/scenario.h"

/* The screens that have a key line. */
enum key_mode { KM_LIVE = 1, KM_REPLAY = 2, KM_ATTACH = 4, KM_CONTEST = 8 };
#define KM_SCENARIO (KM_LIVE | KM_REPLAY)
#define KM_ALL (KM_LIVE | KM_REPLAY | KM_ATTACH)

struct actions;

/* What decides which keys a screen shows. */
struct keys_ctx {
	int mode;                  /* enum key_mode */
	const struct scenario *sc; /* the scenario, or NULL */
	const struct model *m;     /* the model, or NULL */
	const struct actions *act; /* the running screen's actions (what is held), or NULL */
	int all;                   /* also the action keys that cannot act now (the help lists them) */
};

/* One key as the line and the help show it. */
struct ui_key {
	const char *cap;   /* "c", "^C", "Tab" */
	const char *label; /* short, for the key line */
	const char *help;  /* a sentence, for the help overlay */
	int modes;         /* enum key_mode bits: the screens it works on */
	int prio;          /* 0 always shown ... 5 first to go when the line is short */
	const char *not_now; /* an action key: why it cannot act now, or NULL */
};

/*
 * Does action id have a key on this screen: the running screen, the
 * scenario can offer what it needs, and it can act now (or kc->all)?
 */
int keys_action_on(int id, const struct keys_ctx *kc);
/* The keys that apply, in the key line's order; fn is called for each. */
void keys_each(const struct keys_ctx *kc, void (*fn)(void *arg, const struct ui_key *k), void *arg);
/* The key's cap as this terminal can show it. */
const char *keys_cap(const struct ui_key *k);
/* Rows (at most max_rows) the keys of this screen would like on w columns. */
int keys_rows(int w, int max_rows, const struct keys_ctx *kc);
/* Draw the keys on rows y.. y+rows-1, w columns wide, dropping low-priority keys to fit. */
void keys_render(int y, int w, int rows, const struct keys_ctx *kc);

#endif
