# epollviz - see README.md.  Every setting can be overridden: make CC=clang.
PKG_CONFIG ?= pkg-config
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
BIN ?= epollviz
VERSION ?= 0.1

CSTD ?= -std=c11
WARN ?= -Wall -Wextra -Wshadow -Wno-missing-field-initializers -Werror
OPT ?= -O2 -g
CURSES_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS ?= $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
LOCALEDIR ?= $(PREFIX)/share/locale
CPPFLAGS += -D_GNU_SOURCE -DEPOLLVIZ_VERSION='"$(VERSION)"' -DEPOLLVIZ_DATADIR='"$(PREFIX)/share/epollviz"' \
	-DEPOLLVIZ_LOCALEDIR='"$(LOCALEDIR)"'
CFLAGS ?= $(OPT)
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(SANITIZE)
LDLIBS += $(CURSES_LIBS) -pthread

SRC := $(wildcard src/*.c)
UI := $(wildcard ui/*.c)
ENGINE := $(SRC)
OBJ_ENGINE := $(ENGINE:%.c=$(BUILD)/%.o)
OBJ_UI := $(filter-out $(BUILD)/ui/main.o,$(UI:%.c=$(BUILD)/%.o))
OBJ_MAIN := $(BUILD)/ui/main.o

# The preload tracer of `epollviz run`: the emitter's own files (one emitter,
# not a copy) built again as position-independent code into one library that
# exports only the calls it wraps.  Never with sanitizers: it is loaded into
# programs that are not built with them.
PRELOAD := $(BUILD)/libepollviz-preload.so
PRELOAD_SRC := preload/preload.c src/trace.c src/trace_rec.c src/sb.c src/utf8.c src/util.c src/fastclock.c
PRELOAD_OBJ := $(PRELOAD_SRC:%.c=$(BUILD)/pic/%.o)
PIC_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) -fPIC -fvisibility=hidden -ftls-model=initial-exec
# Programs for it to watch: the examples, and (for the tests) a static one it cannot.
EXAMPLES := $(BUILD)/examples/echo-server
STATIC_PROG := $(BUILD)/tests/static-epoll
TORTURE_PROG := $(BUILD)/tests/fd-torture
FIFO_PROG := $(BUILD)/tests/fifo-reader

# Translations (gettext): po/LANG.po, compiled to $(BUILD)/locale/LANG/LC_MESSAGES/,
# where the binary finds them (src/paths.h); see `check-po` and `po-update` below.
LINGUAS := $(basename $(notdir $(wildcard po/*.po)))
MO := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/epollviz.mo)
POT := $(BUILD)/po/epollviz.pot

TEST_SRC := $(wildcard tests/*.c) fuzz/targets.c
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(BUILD)/tests/epollviz-tests
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags criterion jansson 2>/dev/null)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs criterion jansson 2>/dev/null || echo -lcriterion -ljansson)

.PHONY: all run test test-loaded asan valgrind lint fuzz bench screenshots check-layering clean install uninstall \
	deps deps-test deps-screenshots check-po po-update

all: deps $(BIN) $(PRELOAD) $(MO)

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

deps-screenshots:
	@scripts/deps.sh screenshots

$(BIN): $(OBJ_MAIN) $(OBJ_ENGINE) $(OBJ_UI)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The preload tracer of `epollviz run` (PRELOAD, defined above).
$(PRELOAD): $(PRELOAD_OBJ)
	$(CC) -shared $(PIC_CFLAGS) $(LDFLAGS) -o $@ $^ -ldl -pthread

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(PIC_CFLAGS) $(CPPFLAGS) -Isrc -MMD -MP -c -o $@ $<

$(BUILD)/ui/%.o: ui/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(CURSES_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(TEST_CFLAGS) -Isrc -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/%.o: fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -Isrc -MMD -MP -c -o $@ $<

# The tests link the panels too (tests/test_panels.c draws them into memory, no terminal).
$(TEST_BIN): $(TEST_OBJ) $(OBJ_ENGINE) $(OBJ_UI)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(CURSES_LIBS)

$(BUILD)/locale/%/LC_MESSAGES/epollviz.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# The catalogue's template, from every marked string of the code (_ N_ P_)
# and every scenario's title and description (read by the scenario parser
# itself: `--role po-scenarios`).
XGETTEXT_FLAGS = --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=P_:1,2 --keyword=NP_:1,2 --keyword=C_:1c,2 \
	--add-comments=TRANSLATORS: --package-name=epollviz --package-version=$(VERSION) \
	--msgid-bugs-address='the epollviz issue tracker' --no-wrap --sort-by-file
$(POT): $(SRC) src/sentence.h $(UI) $(wildcard scenarios/*.scn) $(BIN)
	@mkdir -p $(dir $@)
	EPOLLVIZ_SCENARIOS=$(CURDIR)/scenarios ./$(BIN) --role po-scenarios > $(BUILD)/po/scenarios.c
	xgettext $(XGETTEXT_FLAGS) -o $@ $(SRC) src/sentence.h $(UI) $(BUILD)/po/scenarios.c

# Fails when a marked string is missing from a catalogue, or a catalogue has
# fuzzy or untranslated entries, or a format that does not match its msgid.
check-po: $(POT)
	@for po in $(wildcard po/*.po); do \
		msgfmt --check --statistics -o /dev/null $$po || exit 1; \
		msgcmp $$po $(POT) || { echo "check-po: $$po lacks strings of the code (make po-update)" >&2; exit 1; }; \
		n=$$(msgattrib --only-fuzzy --no-obsolete $$po | grep -c '^msgid'); \
		[ "$$n" = 0 ] || { msgattrib --only-fuzzy --no-obsolete $$po >&2; echo "check-po: $$po has fuzzy entries" >&2; exit 1; }; \
		n=$$(msgattrib --untranslated --no-obsolete $$po | grep -c '^msgid'); \
		[ "$$n" = 0 ] || { msgattrib --untranslated --no-obsolete $$po >&2; echo "check-po: $$po has untranslated entries" >&2; exit 1; }; \
	done

# Bring every catalogue up to the code's strings (new ones come in untranslated).
po-update: $(POT)
	for po in $(wildcard po/*.po); do msgmerge --quiet --update --backup=none --no-wrap $$po $(POT) || exit 1; done

run: all
	./$(BIN)

# Every test: unit, integration (real processes), end-to-end (tmux).
TEST_RUN = LC_ALL=C.UTF-8 LANGUAGE= EPOLLVIZ_BIN=$(abspath $(BIN)) EPOLLVIZ_SCENARIOS=$(CURDIR)/scenarios \
	$(TEST_WRAP) $(TEST_BIN) --jobs=2 --timeout=120 $(TEST_ARGS)
test: deps-test $(BIN) $(PRELOAD) $(MO) $(EXAMPLES) $(STATIC_PROG) $(TORTURE_PROG) $(FIFO_PROG) $(TEST_BIN) check-layering check-po
	$(TEST_RUN)

# The same suite with one CPU-bound busy loop per online core running beside
# it (scripts/with-load.sh): every wait must be for the effect itself, with a
# deadline a busy machine meets.  The exit status is the suite's.
test-loaded: TEST_WRAP = scripts/with-load.sh
test-loaded: deps-test $(BIN) $(PRELOAD) $(MO) $(EXAMPLES) $(STATIC_PROG) $(TORTURE_PROG) $(FIFO_PROG) $(TEST_BIN) check-layering check-po
	$(TEST_RUN)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer: the
# binary the tests run (and so every child role) and the test binary itself.
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=build/asan BIN=build/asan/epollviz SANITIZE="$(ASAN_FLAGS)" OPT="-O1 -g" \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp test

# The front end under valgrind during a real run: no leaked fd, no definite leak,
# no memory error.  (Children run natively: EPOLLVIZ_SELF is how they find the
# binary, since under valgrind /proc/self/exe is the tool.)
valgrind: $(BIN)
	EPOLLVIZ_SCENARIOS=$(CURDIR)/scenarios scripts/valgrind-check.sh ./$(BIN) $(BUILD)/valgrind.log

# Static analysis with a small committed configuration (.clang-tidy), the
# layering, and the house style a compiler does not check (scripts/check-style.sh).
CPPCHECK ?= cppcheck
CLANG_TIDY ?= clang-tidy
lint: check-layering
	@scripts/deps.sh lint
	$(CPPCHECK) -q --std=c11 --enable=warning,portability,performance --inline-suppr \
		--error-exitcode=1 -D_GNU_SOURCE --suppress=missingIncludeSystem src ui fuzz preload tests/progs
	$(CLANG_TIDY) --quiet $(SRC) $(UI) fuzz/targets.c preload/preload.c tests/progs/*.c -- \
		$(CSTD) $(CPPFLAGS) $(CURSES_CFLAGS) -Isrc
	scripts/check-style.sh $(SRC) $(UI) preload/*.c tests/progs/*.c

# libFuzzer (clang) on every reader of outside data, FUZZ_SECONDS each, from the
# committed seed corpus.  New inputs go to build/fuzz/; crashes fail the target.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := scenario trace fdinfo record script
FUZZ_CC ?= clang
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1
fuzz:
	@scripts/deps.sh fuzz
	@mkdir -p build/fuzzer
	$(FUZZ_CC) $(CSTD) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c fuzz/targets.c -o build/fuzzer/targets.o
	for f in $(ENGINE); do \
		$(FUZZ_CC) $(CSTD) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $$f -o build/fuzzer/$$(basename $$f .c).o || exit 1; \
	done
	for t in $(FUZZ_TARGETS); do \
		$(FUZZ_CC) $(FUZZ_FLAGS) -o build/fuzzer/fuzz_$$t fuzz/fuzz_$$t.c -Ifuzz build/fuzzer/*.o || exit 1; \
		mkdir -p build/fuzzer/corpus-$$t; \
		build/fuzzer/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=build/fuzzer/crash-$$t- build/fuzzer/corpus-$$t fuzz/corpus/$$t \
			2>&1 | tee build/fuzzer/fuzz_$$t.log | grep -E 'DONE|==ERROR|SUMMARY' ; \
		! ls build/fuzzer/crash-$$t-* >/dev/null 2>&1 || { echo "fuzz: $$t crashed; inputs in build/fuzzer/"; exit 1; }; \
	done

# Numbers on the cost of watching (not part of make test): see README, Performance.
BENCH_BIN := $(BUILD)/bench/epollviz-bench
BENCH_ARGS ?=
$(BENCH_BIN): bench/bench.c $(OBJ_ENGINE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -pthread -o $@ bench/bench.c $(OBJ_ENGINE) -lm

bench: deps $(BIN) $(BENCH_BIN)
	@scripts/deps.sh bench
	EPOLLVIZ_SCENARIOS=$(CURDIR)/scenarios $(BENCH_BIN) --bin ./$(BIN) $(BENCH_ARGS)

# examples/: small programs written the way a student would, for epollviz to
# watch (`epollviz run -- build/examples/echo-server`).  `make` builds them and
# `make lint` checks them like src/ and ui/; `clean` removes them with $(BUILD).
.PHONY: lint-examples
all: $(EXAMPLES)
lint: lint-examples
# A user's program, never built with sanitizers: under `make asan` the preload
# tracer would otherwise come before the sanitizer's runtime, which refuses.
$(BUILD)/examples/echo-server: examples/echo_server.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CPPFLAGS) -pthread $(LDFLAGS) -o $@ $<

# A statically linked epoll program: what the tracer cannot see (tests/test_run.c).
$(STATIC_PROG): tests/progs/static_epoll.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CPPFLAGS) -static -o $@ $<

# A student's FIFO watcher, dynamically linked.
$(FIFO_PROG): tests/progs/fifo_reader.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CPPFLAGS) -o $@ $<

# A program that closes, dup2s over and forks away from the trace fd, in threads.
$(TORTURE_PROG): tests/progs/fd_torture.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(CPPFLAGS) -pthread -o $@ $<
lint-examples:
	@scripts/deps.sh lint
	$(CPPCHECK) -q --std=c11 --enable=warning,portability,performance --inline-suppr \
		--error-exitcode=1 -D_GNU_SOURCE --suppress=missingIncludeSystem examples
	$(CLANG_TIDY) --quiet examples/*.c -- $(CSTD) $(CPPFLAGS) -pthread
	scripts/check-style.sh examples/*.c

# Every scenario in tmux, a few keys, screenshots/NAME.txt and NAME.png.
screenshots: deps-screenshots $(BIN) $(PRELOAD) $(EXAMPLES)
	scripts/screenshots.sh ./$(BIN) screenshots

# src/ must never include curses or anything from ui/; ui/ must never call epoll on a worker's behalf.
check-layering:
	@! grep -nE '#include *[<"](n?curses|ncursesw/|panel\.h|menu\.h)' src/*.c src/*.h \
		|| (echo "check-layering: src/ includes curses" >&2; exit 1)
	@! grep -nE '#include *"[^"]*ui/' src/*.c src/*.h \
		|| (echo "check-layering: src/ includes a file of ui/" >&2; exit 1)

# Copies what `make` built (nothing is rebuilt when it is up to date) under
# $(DESTDIR)$(PREFIX): the binary, the scenarios and recordings, the man page,
# and the tracer library and example server when they were built.  The binary
# finds them relative to itself (src/paths.h): no environment variable needed.
INSTALL_LIBDIR = $(DESTDIR)$(PREFIX)/lib/epollviz
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/epollviz/scenarios/recordings \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/epollviz
	install -m 644 scenarios/*.scn $(DESTDIR)$(PREFIX)/share/epollviz/scenarios/
	install -m 644 scenarios/recordings/*.rec $(DESTDIR)$(PREFIX)/share/epollviz/scenarios/recordings/
	install -m 644 epollviz.1 $(DESTDIR)$(PREFIX)/share/man/man1/epollviz.1
	for l in $(LINGUAS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES || exit 1; \
		install -m 644 $(BUILD)/locale/$$l/LC_MESSAGES/epollviz.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; \
		if [ -f man/$$l/epollviz.1 ]; then \
			install -d $(DESTDIR)$(PREFIX)/share/man/$$l/man1 && \
			install -m 644 man/$$l/epollviz.1 $(DESTDIR)$(PREFIX)/share/man/$$l/man1/epollviz.1 || exit 1; \
		fi; \
	done
	install -d $(INSTALL_LIBDIR)/examples
	install -m 755 $(PRELOAD) $(INSTALL_LIBDIR)/
	install -m 755 $(EXAMPLES) $(INSTALL_LIBDIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/epollviz $(DESTDIR)$(PREFIX)/share/man/man1/epollviz.1
	for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/epollviz.mo \
		$(DESTDIR)$(PREFIX)/share/man/$$l/man1/epollviz.1; done
	rm -rf $(DESTDIR)$(PREFIX)/share/epollviz $(INSTALL_LIBDIR)

clean:
	rm -rf build $(BUILD) epollviz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
