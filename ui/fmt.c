/*
 * fmt.c - the number formats the panels share (see fmt.h).
 */
#include "fmt.h"

#include <stdio.h>

#include "../src/i18n.h"

/* A count with thousands separators. */
const char *
fmt_count(uint64_t n, char *buf, size_t cap)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/*
 * A rate per second, short.  Not translated: the status bar (live.c) takes
 * the "/s" off its end to say "rec/s" once.
 */
const char *
fmt_rate(double v, char *buf, size_t cap)
{
	if (v < 1000)
		snprintf(buf, cap, "%.0f/s", v);
	else if (v < 10e3)
		snprintf(buf, cap, "%.1fk/s", v / 1e3);
	else if (v < 1e6)
		snprintf(buf, cap, "%.0fk/s", v / 1e3);
	else
		snprintf(buf, cap, "%.1fM/s", v / 1e6);
	return buf;
}

/* A duration, in the unit that reads best. */
const char *
fmt_dur(uint64_t ns, char *buf, size_t cap)
{
	double ms = (double)ns / 1e6;

	if (ms < 10)
		/* TRANSLATORS: a duration in milliseconds, in panels: keep the unit's abbreviation short. */
		snprintf(buf, cap, _("%.1f ms"), ms);
	else if (ms < 1000)
		/* TRANSLATORS: a duration in milliseconds, in panels: keep the unit's abbreviation short. */
		snprintf(buf, cap, _("%.0f ms"), ms);
	else if (ms < 60e3)
		/* TRANSLATORS: a duration in seconds, in panels: keep the unit's abbreviation short. */
		snprintf(buf, cap, _("%.1f s"), ms / 1e3);
	else
		/* TRANSLATORS: a duration in minutes and seconds ("4 min 05 s"), in panels: keep the units' abbreviations short. */
		snprintf(buf, cap, _("%1$llu min %2$02llu s"), (unsigned long long)(ms / 60e3),
			 (unsigned long long)(ms / 1e3) % 60);
	return buf;
}

/* A byte count, in B, KiB or MiB. */
const char *
fmt_bytes(uint64_t n, char *buf, size_t cap)
{
	if (n < 1024)
		/* TRANSLATORS: a size in bytes, in panels: keep the unit's abbreviation short. */
		snprintf(buf, cap, _("%llu B"), (unsigned long long)n);
	else if (n < 1024 * 1024)
		/* TRANSLATORS: a size in kibibytes, in panels: keep the unit's abbreviation short. */
		snprintf(buf, cap, _("%.1f KiB"), (double)n / 1024);
	else
		/* TRANSLATORS: a size in mebibytes, in panels: keep the unit's abbreviation short. */
		snprintf(buf, cap, _("%.1f MiB"), (double)n / (1024 * 1024));
	return buf;
}
