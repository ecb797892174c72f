/*
 * lang.h - the language epollviz speaks: the locale taken from the
 * environment once at start, and the message catalogues bound (the marks
 * themselves are src/i18n.h's).  No curses.
 */
#ifndef EPOLLVIZ_LANG_H
#define EPOLLVIZ_LANG_H

#include <stddef.h>

/*
 * Take the user's locale (LANG, LC_*, LANGUAGE) for messages and character
 * types (messages stay English unless the locale's codeset is UTF-8, which
 * the screen's measuring of text assumes), but keep numbers in the C locale (JSON and parsed option values
 * never get a decimal comma), and bind the domain (I18N_DOMAIN) to the
 * catalogues found as paths_locale says.  Returns 0, or -1 with a message
 * in err when $EPOLLVIZ_LOCALEDIR is set but names no directory (the
 * messages then stay English).
 */
int lang_init(char *err, size_t errcap);
/*
 * Messages in English from now on, whatever the environment says (LANGUAGE
 * too): with --json, what epollviz prints (messages inside the JSON, such as
 * a contest's or attach's "error", included) is the same in every language.
 * epollviz's own children (the roles, which write the terminal lines that
 * reach the JSON) inherit it through $EPOLLVIZ_ENGLISH.
 */
void lang_english(void);

#endif
