/*
 * sentence.h - the sentences of action records (what the user did, as
 * the Story tells it).  A record keeps its sentence in English, so that the
 * JSON Lines output and recordings are the same in every language; the
 * screen shows it in the reader's language with sentence_localize,
 * which matches the English text against the formats below and formats
 * their translation with the same arguments.  So a recording made in one
 * language replays in another, and an old recording's sentence that no
 * format matches is shown as it is.
 *
 * Every format used for an action or log record is one of these: a new
 * sentence is a new macro here and a row in sentence.c's table.  A pair (NP_) is a
 * sentence's singular and plural: ONE(SAY_X) and MANY(SAY_X) pick one, and
 * the table says which argument counts.  The marks are for xgettext (the
 * Makefile reads this header); no curses, no state.
 */
#ifndef EPOLLVIZ_SENTENCE_H
#define EPOLLVIZ_SENTENCE_H

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
#define SAY_STOP_WATCHER N_("kill -STOP -%d: SIGSTOP to the FIFO watcher's group (a background job: ^Z would not reach it)")
#define SAY_CONT_WATCHER N_("kill -CONT -%d: SIGCONT to the FIFO watcher's group; it runs on in the background")
#define SAY_NO_WATCHER N_("%s: no FIFO watcher is running")
#define SAY_WAIT N_("wait %.3g s")
#define SAY_SETTLE N_("settle: wait until every process sleeps in a syscall")
#define SAY_INSPECT N_("inspect: the kernel's interest lists (/proc fdinfo) and instances (kcmp)")
#define SAY_PAUSE N_("pause: until a line arrives on standard input")
#define SAY_TIMEOUT N_("%s: not complete after %.1f s")

/* Log records (trace_log). */
#define SAY_LOG_STALL N_("pid %d: stalls %d ms after line %llu (stall_worker=%d, every %d lines)")
#define SAY_LOG_NO_NEWLINE N_("pid %d: strchr(buf, '\\n') found no newline in the %zu bytes received on fd %d " \
	"(nor after them): NULL, and the notes' send length is garbage; nothing sent")
#define SAY_LOG_STALE_BYTES N_("pid %d: no newline in the %zu bytes received on fd %d: strchr read on into " \
	"%zu stale bytes an earlier recv left in the buffer, and they were sent")
#define SAY_LOG_DISABLED N_("pid %d: %d of %d connection slots in use (more than 7/8): skips the accept " \
	"contest for %d turns (accept_disabled)")
#define SAY_LOG_PINNED N_("runs on CPU %d only (cpus=%s)")
#define SAY_LOG_SHADOW N_("%s(%d) = EBADF: file_fd still names the fd closed before the reopen (the HUP " \
	"branch's own file_fd shadowed it); epollviz takes fd %d from ev.data")
#define SAY_LOG_EARLY_WRITE N_("write(%d, \"early\\n\", 6) = 6: the data is in the pipe before the ADD")
#define SAY_LOG_TRIG_WRITE2 N_("write(%d, \"ab\", 2) = 2: the pipe becomes readable, one edge")
#define SAY_LOG_PLACEHOLDER N_("fd %d (/dev/null) holds the number the close just freed, as another thread's open would: the reopened FIFO gets another")
#define SAY_LOG_TRIG_READ N_("read(%d, buf, 1) = 1: one byte of two is taken; nothing new came, so no new edge")
#define SAY_LOG_TRIG_WRITE1 N_("write(%d, \"c\", 1) = 1: more data arrives, a new edge")
#define SAY_LOG_ET_EARLY N_("EPOLLET reported data that arrived before EPOLL_CTL_ADD; the notes claim it " \
	"would not: ep_insert polls the file at ADD and queues it if ready")
#define SAY_LOG_ET_MISSED N_("EPOLLET did not report data that arrived before EPOLL_CTL_ADD (epoll_wait = %d)")
#define SAY_LOG_PRELOAD_LOST N_("preload: %d records made in a signal handler were lost (more than %d at once)")

/*
 * text, an action or log record's English sentence, in the reader's language into
 * buf (cap bytes); text itself when no format matches it or nothing is
 * translated.  An error description inside it (strerrordesc_np) is
 * translated as the C library translates it.
 */
const char *sentence_localize(const char *text, char *buf, size_t cap);

#endif
