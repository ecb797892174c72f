/*
 * action_text.h - the sentences of action records (what the user did, as
 * the Story tells it).  A record keeps its sentence in English, so that the
 * JSON Lines output and recordings are the same in every language; the
 * screen shows it in the reader's language with action_text_localize,
 * which matches the English text against the formats below and formats
 * their translation with the same arguments.  So a recording made in one
 * language replays in another, and an old recording's sentence that no
 * format matches is shown as it is.
 *
 * Every format used for an action record is one of these: a new sentence is
 * a new macro here and a row in action_text.c's table.  A pair (NP_) is a
 * sentence's singular and plural: ONE(SAY_X) and MANY(SAY_X) pick one, and
 * the table says which argument counts.  The marks are for xgettext (the
 * Makefile reads this header); no curses, no state.
 */
#ifndef EPOLLVIZ_ACTION_TEXT_H
#define EPOLLVIZ_ACTION_TEXT_H

#include <stddef.h>

#include "i18n.h"

/* A singular/plural pair, marked for xgettext (--keyword=NP_:1,2): expands to both. */
#define NP_(one, many) one, many
#define ONE(...) ONE_(__VA_ARGS__)
#define ONE_(one, many) one
#define MANY(...) MANY_(__VA_ARGS__)
#define MANY_(one, many) many
/* The form for count n. */
#define SAY_N(pair, n) ((n) == 1 ? ONE(pair) : MANY(pair))

#define SAY_NO_SERVER N_("%s: no echo server is listening")
#define SAY_CONNECT N_("connect %d: one at a time, each sends a line, reads the reply, closes")
#define SAY_BURST NP_("burst %d: %d connection at once to 127.0.0.1:%d",\
	"burst %d: %d connections at once to 127.0.0.1:%d")
#define SAY_HOLD NP_("hold %d: open %d connection and keep it",\
	"hold %d: open %d connections and keep them")
#define SAY_SEND_NONE N_("send: no held connection (hold first)")
#define SAY_SEND NP_("send \"%s\" on %d held connection",\
	"send \"%s\" on %d held connections")
#define SAY_RELEASE NP_("release: close %d held connection",\
	"release: close %d held connections")
#define SAY_TARGET_NONE N_("target: nothing listens")
#define SAY_TARGET_PORT_NONE N_("target: nothing listens on 127.0.0.1:%d")
#define SAY_TARGET NP_("target: clients go to 127.0.0.1:%d (%d listening port)",\
	"target: clients go to 127.0.0.1:%d (%d listening ports)")
#define SAY_ABANDON NP_("abandon %d: connect, send a line and close at once, %d time",\
	"abandon %d: connect, send a line and close at once, %d times")
#define SAY_NO_FIFO N_("%s: no FIFO watcher is running")
#define SAY_OPEN_FAILED N_("%s: open(\"%s\", O_WRONLY): %s")
#define SAY_WRITE_FAILED N_("write: %s")
#define SAY_WRITE_OWN N_("write \"%s\" into the FIFO (open, write, close: the close is a hang-up)")
#define SAY_WRITE_HELD N_("write \"%s\" into the FIFO (held writer)")
#define SAY_WRITE_CLOSE_HELD NP_("write-close %d: wrote %d byte and closed at once (your held writer keeps the FIFO open: no hang-up)",\
	"write-close %d: wrote %d bytes and closed at once (your held writer keeps the FIFO open: no hang-up)")
#define SAY_WRITE_CLOSE NP_("write-close %d: wrote %d byte and closed at once: the data and the hang-up arrive together",\
	"write-close %d: wrote %d bytes and closed at once: the data and the hang-up arrive together")
#define SAY_WRITER_HELD N_("writer: a writer is already held")
#define SAY_WRITER N_("writer: open(\"%s\", O_WRONLY) and hold it")
#define SAY_HANGUP_NONE N_("hangup: no writer is held (writer first)")
#define SAY_HANGUP N_("hangup: close the held writer; the reader sees EPOLLHUP")
#define SAY_CTRL_C N_("%s: write 0x%02x to the pty master; the line discipline signals the foreground group")
#define SAY_CTRL_Z N_("%s: write 0x%02x to the pty master; SIGTSTP to the foreground group")
#define SAY_TTY_GONE N_("%s: the terminal is gone")
#define SAY_FG N_("fg: the session leader gives the terminal back to the job and sends SIGCONT")
#define SAY_KILL_PARENT_NONE N_("kill-parent: no echo server parent is running")
#define SAY_KILL_PARENT N_("kill -INT %u: SIGINT to the server parent only")
#define SAY_WAIT N_("wait %.3g s")
#define SAY_SETTLE N_("settle: wait until every process sleeps in a syscall")
#define SAY_INSPECT N_("inspect: the kernel's interest lists (/proc fdinfo) and instances (kcmp)")
#define SAY_PAUSE N_("pause: until a line arrives on standard input")
#define SAY_TIMEOUT N_("%s: not complete after %.1f s")

/*
 * text, an action record's English sentence, in the reader's language into
 * buf (cap bytes); text itself when no format matches it or nothing is
 * translated.  An error description inside it (strerrordesc_np) is
 * translated as the C library translates it.
 */
const char *action_text_localize(const char *text, char *buf, size_t cap);

#endif
