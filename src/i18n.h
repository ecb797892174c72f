/*
 * i18n.h - the translation of what epollviz says to people (gettext,
 * domain "epollviz"): the screen, the headless text, --help and errors.
 * What programs read stays English and stable: JSON Lines, record and
 * field names, scenario keys, option names.  Only the marks: no curses, no
 * state, no code of its own (src/lang.h takes the locale and binds the
 * domain), so any file may include it.
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

#endif
