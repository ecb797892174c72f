/*
 * record.h - the recording format, shared by the writer (recorder.h) and
 * the reader (replay.h): every trace record of a run, to be replayed later.
 *
 * File format (version RECORD_VERSION):
 *
 *   epollviz recording 1\n            magic line with the format version
 *   trace-version: 1\n                 "key: value" header lines, any order;
 *   record-size: 256\n                 unknown keys are ignored
 *   scenario: echo-herd\n
 *   options: [echo] accept=semaphore ...\n
 *   kernel: 6.18.44\n
 *   start: 2026-11-26T15:18:52Z\n
 *   \n                                 an empty line ends the header (< 4 KiB)
 *   <wire records, exactly as trace.h defines them>
 *
 * Every record of the run is there, the front end's own included, in the
 * order the front end applied them.
 */
#ifndef EPOLLVIZ_RECORD_H
#define EPOLLVIZ_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "trace.h"

#define RECORD_VERSION 1
#define RECORD_MAGIC "epollviz recording"
#define RECORD_HEADER_MAX 4096

struct rec_header {
	int version;
	int trace_version;
	int record_size;
	char scenario[64];
	char options[512];
	char kernel[128];
	char start[64];
};

#endif
