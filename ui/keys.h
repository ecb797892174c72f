/*
 * keys.h - the keys of every screen, as one table: what the key line
 * shows, what the help lists, and which screens and scenarios a key
 * applies to (the dispatch itself is in live.c and attachview.c, on the
 * same key codes).
 */
#ifndef EPOLLVIZ_UI_KEYS_H
#define EPOLLVIZ_UI_KEYS_H

/* The screens that have a key line. */
enum key_mode { KM_LIVE = 1, KM_REPLAY = 2, KM_ATTACH = 4 };
#define KM_SCENARIO (KM_LIVE | KM_REPLAY)
#define KM_ALL (KM_LIVE | KM_REPLAY | KM_ATTACH)

enum key_need { KN_ANY = 0, KN_ECHO, KN_FIFO };

struct ui_key {
	const char *cap;   /* "c", "^C", "Tab" */
	const char *label; /* short, for the key line */
	const char *help;  /* a sentence, for the help overlay */
	int modes;         /* enum key_mode bits: the screens it works on */
	int need;          /* enum key_need */
	int prio;          /* 0 always shown ... 5 first to go when the line is short */
};

extern const struct ui_key ui_keys[];
extern const int ui_nkeys;

/* Does key k apply on screen mode to a scenario with (or without) an echo server and a FIFO watcher? */
int keys_apply(const struct ui_key *k, int mode, int has_echo, int has_fifo);
/* The key's cap as this terminal can show it. */
const char *keys_cap(const struct ui_key *k);
/* Rows (at most max_rows) the keys of this screen would like on w columns. */
int keys_rows(int w, int max_rows, int mode, int has_echo, int has_fifo);
/* Draw the keys on rows y.. y+rows-1, w columns wide, dropping low-priority keys to fit. */
void keys_render(int y, int w, int rows, int mode, int has_echo, int has_fifo);

#endif
