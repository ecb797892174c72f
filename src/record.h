/*
 * record.h - the recording format, shared by the writer (recorder.h) and
 * the reader (replay.h): every trace record of a run, to be replayed later.
 *
 * File format (version RECORD_VERSION):
 *
 *   epollviz recording 2\n            magic line with the format version
 *   trace-version: 1\n                 "key: value" header lines, any order;
 *   wire-version: 2\n                  unknown keys are ignored
 *   scenario: echo-herd\n
 *   options: [echo] accept=semaphore ...\n
 *   kernel: 6.18.44\n
 *   start: 2026-11-26T15:18:52Z\n
 *   \n                                 an empty line ends the header (< 4 KiB)
 *   <wire records, exactly as trace.h defines them>
 *
 * Every record of the run is there, the front end's own included, in the
 * order the front end applied them.
 *
 * Version 1 (recordings made before the compact wire format) has
 * "record-size: 256" instead of "wire-version: 2" and holds fixed 256-byte
 * records; it is still read (trace_reader_set_wire), never written.
 */
#ifndef EPOLLVIZ_RECORD_H
#define EPOLLVIZ_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "trace.h"

#define RECORD_VERSION 2
#define RECORD_VERSION_FIXED 1 /* fixed 256-byte records: still read */
#define RECORD_MAGIC "epollviz recording"
#define RECORD_HEADER_MAX 4096

struct rec_header {
	int version;
	int trace_version;
	int record_size;  /* version 1 */
	int wire_version; /* version 2 */
	char scenario[64];
	char options[512];
	char kernel[128];
	char start[64];
};

#endif
