/*
 * clients.h - the front end's own loopback TCP clients: real connections to
 * the echo server on 127.0.0.1, driven by the front end's loop, each event
 * emitted as a client record.  Bounded: every connect, and every reply an
 * action waits for (connect, hold), has a deadline; a burst's clients wait
 * for their replies until the run ends or they are closed.
 */
#ifndef EPOLLVIZ_CLIENTS_H
#define EPOLLVIZ_CLIENTS_H

struct loop;
struct run;
struct clients;

struct clients *clients_new(struct loop *loop, struct run *run);
void clients_free(struct clients *cs);
void clients_set_port(struct clients *cs, int port);
/* n clients one after another: connect, send a line, read the reply, close. */
void clients_connect(struct clients *cs, int n);
/* n clients at once: each sends a line and closes when answered. */
void clients_burst(struct clients *cs, int n);
/*
 * n clients that connect, send a line and close at once without reading:
 * clients that have given up by the time the server answers (the reply
 * meets a RST, and a second send gets EPIPE).
 */
void clients_abandon(struct clients *cs, int n);
/* n clients that connect and stay open. */
void clients_hold(struct clients *cs, int n);
/* Send text plus '\n' on every held client. */
int clients_send(struct clients *cs, const char *text);
/* Close every held client. */
void clients_release(struct clients *cs);
/* Operations in flight that an action waits for (connects, awaited replies, queued). */
int clients_busy(const struct clients *cs);
/* Held clients that are connected. */
int clients_held(const struct clients *cs);
/* Close everything (end of run). */
void clients_close_all(struct clients *cs);

#endif
