/*
 * picker.h - the scenario picker: the scenarios found in the scenario
 * directory (name and title), and what to try with the selected one.
 */
#ifndef EPOLLVIZ_UI_PICKER_H
#define EPOLLVIZ_UI_PICKER_H

#include <stddef.h>

#include "../src/scenario.h"

enum picker_result { PICK_NONE = 0, PICK_START, PICK_QUIT };

struct picker {
	struct scenario *v;
	int n;
	int sel;
	int top;
	char dir[PATH_MAX];
	char skipped[512]; /* files that did not parse, as scenario_list reported them */
};

/* Load the list.  Returns 0, or -1 with a message in err (nothing to pick from). */
int picker_load(struct picker *pk, char *err, size_t cap);
void picker_free(struct picker *pk);
/* Select the scenario of that name, if listed. */
void picker_select(struct picker *pk, const char *name);
/* The selected scenario. */
const struct scenario *picker_current(const struct picker *pk);
void picker_render(struct picker *pk, int rows, int cols);
/* Handle a key; PICK_START means start picker_current(). */
int picker_key(struct picker *pk, int key);

#endif
