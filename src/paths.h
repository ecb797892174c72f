/*
 * paths.h - where epollviz finds its own files (the scenarios directory, the
 * LD_PRELOAD tracer library): relative to the running binary, so that the
 * source tree, the sanitizer build and an install under any PREFIX work with
 * no environment variable set.  Engine side: no curses, no state.
 *
 * Each search reads an environment variable first; when it is set, what it
 * names must exist (an error naming it otherwise, never a silent fallback).
 * Then, with EXE the binary's directory:
 *
 * scenarios: EXE/scenarios (the source tree: ./epollviz),
 *   EXE/../share/epollviz/scenarios (installed: PREFIX/bin/epollviz),
 *   EXE/../../scenarios (the sanitizer build: build/asan/epollviz),
 *   EPOLLVIZ_DATADIR/scenarios (compiled in: the last resort).
 *   The installed place comes before EXE/../../scenarios so that an
 *   unrelated ~/scenarios cannot hide ~/.local/share/epollviz/scenarios.
 *
 * tracer library: EXE/libepollviz-preload.so (build/asan/),
 *   EXE/build/libepollviz-preload.so (the source tree),
 *   EXE/../lib/epollviz/libepollviz-preload.so (installed).
 *
 * message catalogues (LANG/LC_MESSAGES/epollviz.mo below it):
 *   EXE/build/locale (the source tree), EXE/locale (build/asan/),
 *   EXE/../share/locale (installed), EPOLLVIZ_LOCALEDIR (compiled in).
 */
#ifndef EPOLLVIZ_PATHS_H
#define EPOLLVIZ_PATHS_H

#include <stddef.h>

/* The file name of the tracer library. */
#define PATHS_PRELOAD_NAME "libepollviz-preload.so"

/*
 * The directory of the running binary, absolute, into buf: of $EPOLLVIZ_SELF
 * when set (under valgrind /proc/self/exe names the tool), else of
 * /proc/self/exe.  Returns 0, or -1 with errno.
 */
int paths_exe_dir(char *buf, size_t cap);
/*
 * The scenarios directory, absolute, into buf.  Returns 0, or -1 with a
 * message in err: $EPOLLVIZ_SCENARIOS and its value when it is set but not a
 * directory, else every place looked at.
 */
int paths_scenarios(char *buf, size_t cap, char *err, size_t errcap);
/*
 * The tracer library, absolute, into buf.  Returns 0, or -1 with a message
 * in err: $EPOLLVIZ_PRELOAD and its value when it is set but not a file, else
 * every place looked at.
 */
int paths_preload(char *buf, size_t cap, char *err, size_t errcap);
/*
 * The directory of the message catalogues, absolute, into buf.  Returns 0;
 * 1 when no place has one (messages stay English, not an error); or -1
 * with a message in err when $EPOLLVIZ_LOCALEDIR is set but not a directory.
 */
int paths_locale(char *buf, size_t cap, char *err, size_t errcap);
/*
 * The program `epollviz run` would start for name, found as execvp finds
 * it (a name with a '/' as it is, else along $PATH), into buf.  Returns 0,
 * or -1 with a message in err naming it and why (not found, not
 * executable, a directory).
 */
int paths_program(const char *name, char *buf, size_t cap, char *err, size_t errcap);

#endif
