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
CPPFLAGS += -D_GNU_SOURCE -DEPOLLVIZ_VERSION='"$(VERSION)"' -DEPOLLVIZ_DATADIR='"$(PREFIX)/share/epollviz"'
CFLAGS ?= $(OPT)
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(SANITIZE)
LDLIBS += $(CURSES_LIBS)

SRC := $(wildcard src/*.c)
UI := $(wildcard ui/*.c)
ENGINE := $(filter-out src/main.c,$(SRC))
OBJ_ENGINE := $(ENGINE:%.c=$(BUILD)/%.o)
OBJ_UI := $(UI:%.c=$(BUILD)/%.o)
OBJ_MAIN := $(BUILD)/src/main.o

TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(BUILD)/tests/epollviz-tests
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags criterion jansson 2>/dev/null)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs criterion jansson 2>/dev/null || echo -lcriterion -ljansson)

.PHONY: all run test check-layering clean install uninstall deps deps-test screenshots deps-screenshots

all: deps $(BIN)

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

deps-screenshots:
	@scripts/deps.sh screenshots

$(BIN): $(OBJ_MAIN) $(OBJ_ENGINE) $(OBJ_UI)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/ui/%.o: ui/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(CURSES_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CPPFLAGS) $(TEST_CFLAGS) -Isrc -MMD -MP -c -o $@ $<

$(TEST_BIN): $(TEST_OBJ) $(OBJ_ENGINE)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS)

run: all
	./$(BIN)

# Every test: unit, integration (real processes), end-to-end (tmux).
test: deps-test $(BIN) $(TEST_BIN) check-layering
	EPOLLVIZ_BIN=$(abspath $(BIN)) EPOLLVIZ_SCENARIOS=$(CURDIR)/scenarios \
		$(TEST_BIN) --jobs=2 --timeout=120 $(TEST_ARGS)

# Every scenario in tmux, a few keys, screenshots/NAME.txt and NAME.png.
screenshots: deps-screenshots $(BIN)
	scripts/screenshots.sh ./$(BIN) screenshots

# src/ must never include curses; ui/ must never call epoll on a worker's behalf.
check-layering:
	@! grep -nE '#include *[<"](n?curses|ncursesw/|panel\.h|menu\.h)' src/*.c src/*.h \
		|| (echo "check-layering: src/ includes curses" >&2; exit 1)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/epollviz/scenarios \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 epollviz $(DESTDIR)$(PREFIX)/bin/epollviz
	install -m 644 scenarios/*.scn $(DESTDIR)$(PREFIX)/share/epollviz/scenarios/
	install -m 644 epollviz.1 $(DESTDIR)$(PREFIX)/share/man/man1/epollviz.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/epollviz $(DESTDIR)$(PREFIX)/share/man/man1/epollviz.1
	rm -rf $(DESTDIR)$(PREFIX)/share/epollviz

clean:
	rm -rf $(BUILD) epollviz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
