/*
 * lang.c - see lang.h.  Owns the process's locale settings and the binding
 * of the text domain; knows nothing of what is translated.
 */
#include "lang.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "paths.h"

/* Set by lang_english for epollviz's own children (re-executed roles). */
#define ENGLISH_ENV "EPOLLVIZ_ENGLISH"

/* Locale from the environment, numbers in C, the domain bound; see lang.h. */
int
lang_init(char *err, size_t errcap)
{
	char dir[PATH_MAX];
	const char *cs;
	int rc;

	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	if (getenv(ENGLISH_ENV))
		lang_english();
	rc = paths_locale(dir, sizeof dir, err, errcap);
	if (rc == 0)
		bindtextdomain(I18N_DOMAIN, dir);
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	/* The screen measures text as UTF-8: in a KOI8-R or CP1251 locale, English (ASCII) is what shows right. */
	cs = nl_langinfo(CODESET);
	if (cs == NULL || (strcmp(cs, "UTF-8") != 0 && strcmp(cs, "utf8") != 0))
		setlocale(LC_MESSAGES, "C");
	return rc < 0 ? -1 : 0;
}

/* English messages from now on; see lang.h. */
void
lang_english(void)
{
	/* "C", not "C.UTF-8": glibc's gettext ignores LANGUAGE only for the C locale. */
	setlocale(LC_MESSAGES, "C");
	/* Our children too (the workers' terminal lines reach the JSON); a user's program ignores it. */
	setenv(ENGLISH_ENV, "1", 1);
}
