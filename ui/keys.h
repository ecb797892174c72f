/*
 * keys.h - the keys of a running scenario, as one table: what the key line
 * shows, what the help lists, and which scenarios a key applies to (the
 * dispatch itself is in live.c, on the same key codes).
 */
#ifndef EPOLLVIZ_UI_KEYS_H
#define EPOLLVIZ_UI_KEYS_H

enum key_need { KN_ANY = 0, KN_ECHO, KN_FIFO };

struct ui_key {
	const char *cap;   /* "c", "^C", "Tab" */
	const char *label; /* short, for the key line */
	const char *help;  /* a sentence, for the help overlay */
	int need;          /* enum key_need */
	int prio;          /* 0 always shown ... 5 first to go when the line is short */
};

extern const struct ui_key ui_keys[];
extern const int ui_nkeys;

/* Does key k apply to a scenario with (or without) an echo server and a FIFO watcher? */
int keys_apply(const struct ui_key *k, int has_echo, int has_fifo);
/* The key's cap as this terminal can show it. */
const char *keys_cap(const struct ui_key *k);
/* Rows (at most max_rows) the keys of this scenario would like on w columns. */
int keys_rows(int w, int max_rows, int has_echo, int has_fifo);
/* Draw the keys on rows y.. y+rows-1, w columns wide, dropping low-priority keys to fit. */
void keys_render(int y, int w, int rows, int has_echo, int has_fifo);

#endif
