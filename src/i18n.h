/*
 * i18n.h - the translation of what epollviz says to people (gettext,
 * domain "epollviz"): the screen, the headless text, --help and errors.
 * What programs read stays English and stable: JSON Lines, record and
 * field names, scenario keys, option names.  No curses, no state of its own
 * beyond what setlocale and bindtextdomain keep.
 *
 * In the code:
 *   _("text")                 translated now
 *   N_("text")                marked for the catalogue, translated where it is used
 *   P_("%d return", "%d returns", n)   plural forms (Russian has three)
 *
 * Always through dgettext with our domain, never the default one: trace.c
 * and its neighbours are also built into the preload tracer, which runs
 * inside a user's program that may have a text domain of its own.
 */
#ifndef EPOLLVIZ_I18N_H
#define EPOLLVIZ_I18N_H

#include <libintl.h>
#include <stddef.h>

#define I18N_DOMAIN "epollviz"

#define _(s) dgettext(I18N_DOMAIN, s)
#define N_(s) s
#define P_(one, many, n) dngettext(I18N_DOMAIN, one, many, (unsigned long)(n))
/*
 * The same English word in two places that want different translations:
 * C_("column header", "kernel").  The catalogue keys it by context and
 * text (msgctxt); the English text when there is no translation.
 */
#define C_(ctx, s) i18n_pgettext(ctx "\004" s, s)

/* dgettext of "CTX\004TEXT", or TEXT when the catalogue has no entry (what C_ expands to). */
static inline const char *i18n_pgettext(const char *key, const char *text) __attribute__((format_arg(2)));
static inline const char *
i18n_pgettext(const char *key, const char *text)
{
	const char *t = dgettext(I18N_DOMAIN, key);

	return t == key ? text : t;
}

/*
 * Take the user's locale (LANG, LC_*, LANGUAGE) for messages and character
 * types, but keep numbers in the C locale (JSON and parsed option values
 * never get a decimal comma), and bind the domain to the catalogues found
 * as paths_locale says.  Returns 0, or -1 with a message in err when
 * $EPOLLVIZ_LOCALEDIR is set but names no directory (the messages then stay
 * English).
 */
int i18n_init(char *err, size_t errcap);
/*
 * Messages in English from now on, whatever the environment says (LANGUAGE
 * too): with --json, what epollviz prints (messages inside the JSON, such as
 * a contest's or attach's "error", included) is the same in every language.
 * epollviz's own children (the roles, which write the terminal lines that
 * reach the JSON) inherit it through $EPOLLVIZ_ENGLISH.
 */
void i18n_english(void);

#endif
