# wisp: top-level build.  The file system is the manifest of the build:
# every .c under tender/ is part of the tender (mk/tender.mk), every
# guest/*.{c,S} part of the guest library, every tests/unit/test_*.c a
# unit-test program, every tests/guests/NAME/ directory a test unikernel.  Everything goes to build/.
#
#   make            build the tender, guest library, toolchain, test guests
#   make run        install what is missing, build, boot the hello example
#   make test       install what is missing, build, run every test
#   make deps       install the Debian packages the build and tests need
#   make V=1 ...    show the commands

B       := build
CC      ?= cc
V       ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
           -Wcast-qual -Wpointer-arith -Wno-unused-parameter
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -iquote tender -D_GNU_SOURCE -MMD -MP \
           -fstack-protector-strong -D_FORTIFY_SOURCE=2
HOST_LDLIBS := -lseccomp -luring

# The base parts of the build, which the rest use: the tender (library and
# programs), the guest library, the toolchain.  Each part adds what `make`
# builds to ALL.
MK_BASE := mk/tender.mk mk/guest.mk mk/toolchain.mk
include $(MK_BASE)

# ---- test unikernels ------------------------------------------------------
# tests/guests/NAME/*.c (+ optional manifest.json) -> build/tests/guests/NAME.wisp
GUEST_TESTS := $(filter-out common,$(notdir $(patsubst %/,%,$(dir $(wildcard tests/guests/*/*.c)))))
GUEST_TEST_BINS := $(GUEST_TESTS:%=$(B)/tests/guests/%.wisp)
GUEST_COMMON := $(wildcard tests/guests/common/*.c)
# The CPU tables and exception entry of the two flavours that run at CPL0
# (mk/guest-hvt.mk, mk/virtio.mk).
GUEST_CPL0_SRC := $(sort $(wildcard guest-cpl0/*.c guest-cpl0/*.S))

# flavour_objs OBJDIR,SRCDIR,CFLAGS-VAR,TAG: the rules that compile
# SRCDIR/%.c and SRCDIR/%.S into $(B)/obj/OBJDIR/%.o with $(CFLAGS-VAR), for
# a guest-library flavour (mk/guest-hvt.mk, mk/virtio.mk): its own files and
# those it compiles again with its flags (TAG, when set, ends the line).
define flavour_objs
$$(B)/obj/$(1)/%.o: $(2)/%.c
	@mkdir -p $$(@D)
	@[ "$$(V)" != 0 ] || echo "  CC      $$<$(if $(4), $(4))"
	$$(Q)$$(CC) $$($(3)) -c -o $$@ $$<

$$(B)/obj/$(1)/%.o: $(2)/%.S
	@mkdir -p $$(@D)
	@[ "$$(V)" != 0 ] || echo "  AS      $$<$(if $(4), $(4))"
	$$(Q)$$(CC) $$($(3)) -c -o $$@ $$<
endef

# A guest or example directory DIR may hold a file DIR/flags: extra wisp-cc
# flags (e.g. --libc, --lwip --mbedtls) used for both targets.  Such a unit
# also depends on the guest libraries of its target (mk/guest-libs.mk
# defines GUEST_LIBS_isolated and GUEST_LIBS_hvt).
dir_flags = $(if $(wildcard $(1)/flags),$(shell cat $(1)/flags))
dir_flag_deps = $(if $(wildcard $(1)/flags),$(1)/flags $(GUEST_LIBS_$(2)))

.SECONDEXPANSION:
$(B)/tests/guests/%.wisp: $$(wildcard tests/guests/%/*.c tests/guests/%/manifest.json) $(GUEST_COMMON) $(TOOLCHAIN) \
                          $$(call dir_flag_deps,tests/guests/$$*,isolated)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc -o $@ $(if $(wildcard tests/guests/$*/manifest.json),--manifest=tests/guests/$*/manifest.json) \
	    $(call dir_flags,tests/guests/$*) -Itests/guests/common $(wildcard tests/guests/$*/*.c) $(GUEST_COMMON)

# ---- examples -------------------------------------------------------------
# examples/common/ holds code shared by the examples, not an example.
EXAMPLES := $(filter-out common,$(notdir $(patsubst %/,%,$(dir $(wildcard examples/*/*.c)))))
# examples/NAME/ -> build/examples/NAME.wisp and (--target=hvt) NAME.hvt
EXAMPLE_BINS := $(EXAMPLES:%=$(B)/examples/%.wisp) $(EXAMPLES:%=$(B)/examples/%.hvt)
$(B)/examples/%.wisp: $$(wildcard examples/%/*.c examples/%/manifest.json) $(TOOLCHAIN) \
                      $$(call dir_flag_deps,examples/$$*,isolated)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc -o $@ $(if $(wildcard examples/$*/manifest.json),--manifest=examples/$*/manifest.json) \
	    $(call dir_flags,examples/$*) $(wildcard examples/$*/*.c)

$(B)/examples/%.hvt: $$(wildcard examples/%/*.c examples/%/manifest.json) $$(HVT_TOOLCHAIN) \
                     $$(call dir_flag_deps,examples/$$*,hvt)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc --target=hvt -o $@ $(if $(wildcard examples/$*/manifest.json),--manifest=examples/$*/manifest.json) \
	    $(call dir_flags,examples/$*) $(wildcard examples/$*/*.c)

# ---- test tools (host programs used by the e2e tests) ----------------------
TEST_TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TEST_TOOLS := $(TEST_TOOL_SRC:tests/tools/%.c=$(B)/tests/tools/%)
$(B)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<
ALL += $(TEST_TOOLS)

# Each further part of the build lives in mk/NAME.mk, one concern a file
# (unit tests, fuzzing, the guest-hvt flavour, test-hwvirt, ...); each adds
# what `make` builds to ALL.
include $(filter-out $(MK_BASE),$(sort $(wildcard mk/*.mk)))

# ---- top-level targets ----------------------------------------------------
.PHONY: all guests deps run test clean bench
.DEFAULT_GOAL := all

all: $(ALL) $(GUEST_TEST_BINS) $(EXAMPLE_BINS)
guests: $(GUEST_TEST_BINS)

deps:
	$(Q)tools/install-deps.sh

# (-s unless V=1: no "is up to date" lines; the build still names its steps)
SUBMAKE_QUIET := $(if $(filter 0,$(V)),-s)

run: deps
	$(Q)$(MAKE) --no-print-directory $(SUBMAKE_QUIET) $(B)/bin/wisp $(B)/examples/hello.wisp
	@echo "==> booting the bundled hello unikernel: $(B)/bin/wisp $(B)/examples/hello.wisp Hello_wisp"
	$(Q)$(B)/bin/wisp $(B)/examples/hello.wisp Hello_wisp

# The closing "N passed, N failed[, N skipped]" line of tests/run-all.sh
# stays the last line of the output when tests fail: run directly by make
# (no shell between), it ends this make with SIGQUIT instead of failing the
# recipe, and make exits non-zero without its own error line (run-all.sh,
# end_make).
test: deps
	$(Q)$(MAKE) --no-print-directory $(SUBMAKE_QUIET) all
	$(Q)tests/run-all.sh --from-make

clean:
	rm -rf $(B)

-include $(shell find $(B)/obj $(B)/tests/unit -name '*.d' 2>/dev/null)

# ---- benchmarks -------------------------------------------------------------
# make bench [RECORD=1]: boot latency against the floor program
# (bench/floor.c), hypercall and page-fault cost, peak RSS, host memory of K
# idle guests against K idle floors; tables on stdout and in
# build/bench/results/bench.{json,png,txt} (bench/results/, the committed
# record, with RECORD=1).  Programs, not
# tests: nothing here passes or fails on a time.  See bench/README.md.
# bench/guests/NAME/*.c (+ manifest.json) -> build/bench/guests/NAME.wisp
BENCH_SRC := $(filter-out bench/floor.c bench/rssprobe.c,$(wildcard bench/*.c))
BENCH_GUESTS := $(notdir $(patsubst %/,%,$(dir $(wildcard bench/guests/*/*.c))))
BENCH_BINS := $(B)/bench/wisp-bench $(B)/bench/floor $(B)/bench/floor-static $(B)/bench/rssprobe \
              $(BENCH_GUESTS:%=$(B)/bench/guests/%.wisp)

$(B)/bench/wisp-bench: $(BENCH_SRC) bench/bench.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 -O2 -g $(WARN) -o $@ $(BENCH_SRC)

# The floor: as a minimal C program is usually built (dynamic), and static.
$(B)/bench/floor: bench/floor.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 -O2 $(WARN) -o $@ $<

$(B)/bench/floor-static $(B)/bench/rssprobe: $(B)/bench/%: bench/$$(subst -static,,%).c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@ (static)"
	$(Q)$(CC) -std=gnu11 -O2 $(WARN) -static -o $@ $<

$(B)/bench/guests/%.wisp: $$(wildcard bench/guests/%/*.c bench/guests/%/manifest.json) $(TOOLCHAIN)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc -o $@ $(if $(wildcard bench/guests/$*/manifest.json),--manifest=bench/guests/$*/manifest.json) \
	    $(wildcard bench/guests/$*/*.c)

.PHONY: bench-deps bench-build
bench-deps:
	$(Q)bench/install-deps.sh

bench-build: all $(BENCH_BINS)

bench: bench-deps
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)RECORD=$(RECORD) bench/run.sh
