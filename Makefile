# wisp: top-level build.  The file system is the manifest of the build:
# every tender/*.c is part of the tender, every guest/*.{c,S} part of the
# guest library, every tests/unit/test_*.c a unit-test program, every
# tests/guests/NAME/ directory a test unikernel.  Everything goes to build/.
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
HOST_LDLIBS := -lseccomp

# ---- the tender -----------------------------------------------------------
TENDER_SRC  := $(sort $(wildcard tender/*.c))
TENDER_OBJ  := $(TENDER_SRC:%.c=$(B)/obj/%.o)
TENDER_LIB_OBJ := $(filter-out $(B)/obj/tender/main.o,$(TENDER_OBJ))

$(B)/obj/tender/%.o: tender/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

# The build-time seccomp filter (confine.h): gen-seccomp, linked with the
# tender's own rules, prints it; confine_bpf.c compiles it in.
GEN_SECCOMP_OBJ := $(filter-out $(B)/obj/tender/confine_bpf.o,$(TENDER_LIB_OBJ))
$(B)/gen/gen-seccomp: tools/gen-seccomp.c $(GEN_SECCOMP_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(GEN_SECCOMP_OBJ) $(HOST_LDLIBS)

$(B)/gen/seccomp_core.h: $(B)/gen/gen-seccomp
	@[ "$(V)" != 0 ] || echo "  GEN     $@"
	$(Q)$< > $@.tmp && mv $@.tmp $@

$(B)/obj/tender/confine_bpf.o: tender/confine_bpf.c $(B)/gen/seccomp_core.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -iquote $(B)/gen -c -o $@ $<

# Linked statically: dynamic loading of libc and libseccomp cost ~0.4 ms of
# every boot (make bench, bench/README.md).
$(B)/bin/wisp: $(TENDER_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static -o $@ $^ $(HOST_LDLIBS)

# ---- the guest library ----------------------------------------------------
GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -ffreestanding -fno-pie -fno-pic \
           -fno-stack-protector -mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables \
           -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) -MMD -MP
GUEST_SRC := $(sort $(wildcard guest/*.c guest/*.S))
GUEST_OBJ := $(patsubst %,$(B)/obj/%.o,$(basename $(GUEST_SRC)))

$(B)/obj/guest/%.o: guest/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(B)/obj/guest/%.o: guest/%.S
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  AS      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

# One relocatable object whose only global symbols are the public API.
$(B)/lib/wisp/wisp-guest.o: $(GUEST_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD -r   $@"
	$(Q)ld -r -o $@.tmp $^
	$(Q)objcopy -w -G 'solo5_*' -G 'wisp_*' -G '_start' -G '__stack_chk_*' $@.tmp $@
	$(Q)rm -f $@.tmp

$(B)/lib/wisp/%.ld: guest/%.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@

GUEST_LDS := $(patsubst guest/%.ld,$(B)/lib/wisp/%.ld,$(wildcard guest/*.ld))

# Public headers as installed: build/include is what wisp-cc puts on the path.
PUBLIC_HDRS := $(patsubst include/%,$(B)/include/%,$(shell find include -name '*.h'))
$(B)/include/%.h: include/%.h
	@mkdir -p $(@D)
	$(Q)cp $< $@

# ---- toolchain ------------------------------------------------------------
ELFTOOL_SRC := $(sort $(wildcard tools/elftool/*.c))
ELFTOOL_OBJ := $(ELFTOOL_SRC:%.c=$(B)/obj/%.o)
ELFTOOL_SHARED := $(filter $(B)/obj/tender/elf% $(B)/obj/tender/mft%,$(TENDER_OBJ))

$(B)/obj/tools/elftool/%.o: tools/elftool/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c -o $@ $<

$(B)/bin/wisp-elftool: $(ELFTOOL_OBJ) $(ELFTOOL_SHARED)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) -o $@ $^ -ljansson

$(B)/bin/wisp-cc: tools/wisp-cc
	@mkdir -p $(@D)
	$(Q)cp $< $@ && chmod +x $@

TOOLCHAIN := $(B)/bin/wisp-cc $(B)/bin/wisp-elftool $(B)/lib/wisp/wisp-guest.o $(GUEST_LDS) $(PUBLIC_HDRS)

# ---- test unikernels ------------------------------------------------------
# tests/guests/NAME/*.c (+ optional manifest.json) -> build/tests/guests/NAME.wisp
GUEST_TESTS := $(filter-out common,$(notdir $(patsubst %/,%,$(dir $(wildcard tests/guests/*/*.c)))))
GUEST_TEST_BINS := $(GUEST_TESTS:%=$(B)/tests/guests/%.wisp)
GUEST_COMMON := $(wildcard tests/guests/common/*.c)

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

# ---- unit tests -----------------------------------------------------------
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)
$(B)/tests/unit/%: tests/unit/%.c $(TENDER_LIB_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(TENDER_LIB_OBJ) $(HOST_LDLIBS) -lcmocka

# ---- top-level targets ----------------------------------------------------
.PHONY: all tender toolchain guests unit deps run test clean bench
.DEFAULT_GOAL := all

all: $(B)/bin/wisp $(TOOLCHAIN) $(GUEST_TEST_BINS) $(EXAMPLE_BINS) $(UNIT_BINS)

deps:
	$(Q)tools/install-deps.sh

run: deps
	$(Q)$(MAKE) --no-print-directory $(B)/bin/wisp $(B)/examples/hello.wisp
	@echo "==> booting the bundled hello unikernel: $(B)/bin/wisp $(B)/examples/hello.wisp Hello_wisp"
	$(Q)$(B)/bin/wisp $(B)/examples/hello.wisp Hello_wisp

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/run-all.sh

clean:
	rm -rf $(B)

# Each part of the build that is not above lives in mk/NAME.mk, one concern
# a file; they may add prerequisites to all:.
include $(sort $(wildcard mk/*.mk))

-include $(shell find $(B)/obj $(B)/tests/unit -name '*.d' 2>/dev/null)

# ---- test tools (host programs used by the e2e tests) ----------------------
TEST_TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TEST_TOOLS := $(TEST_TOOL_SRC:tests/tools/%.c=$(B)/tests/tools/%)
$(B)/tests/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $<
all: $(TEST_TOOLS)

# ---- fuzz -------------------------------------------------------------------
# make fuzz [FUZZ_TIME=SECONDS]: build the libFuzzer targets (tests/fuzz/
# README.md) with clang and run each for a bounded time: fuzz_elf (ELF and
# manifest validators) on the seed corpus (tests/fuzz/seeds/elf plus any
# unikernel already built), fuzz_cli (command line), fuzz_manifest_json
# (wisp-elftool's JSON manifest parser, seeds tests/fuzz/seeds/json) and
# fuzz_hypercall (core hypercall handlers on hostile guest memory).  Working
# corpora grow in build/fuzz/corpus/NAME; crashes land in build/fuzz/.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SAN  := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_ELF_SRC := tests/fuzz/fuzz_elf.c $(wildcard tender/elf*.c) tender/mft.c
FUZZ_TARGETS := elf cli manifest_json hypercall
# The tender without main.o, compiled with the fuzzer's sanitizers.
FUZZ_TENDER_OBJ := $(filter-out $(B)/fuzz/obj/tender/main.o,$(TENDER_SRC:%.c=$(B)/fuzz/obj/%.o))
FUZZ_ELFTOOL_SRC := tools/elftool/manifest_json.c tools/elftool/util.c

$(B)/fuzz/fuzz_elf: $(FUZZ_ELF_SRC) $(wildcard tender/elf*.h) include/wisp/abi.h include/wisp/mft_abi.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_CC) -g -O1 $(FUZZ_SAN) -Iinclude -Itender -o $@ $(FUZZ_ELF_SRC)

$(B)/fuzz/obj/tender/%.o: tender/%.c $(wildcard tender/*.h) $(B)/gen/seccomp_core.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $<"
	$(Q)$(FUZZ_CC) -g -O1 $(FUZZ_SAN) -std=gnu11 -D_GNU_SOURCE -Iinclude -iquote tender -iquote $(B)/gen -c -o $@ $<

$(B)/fuzz/fuzz_cli $(B)/fuzz/fuzz_hypercall: $(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_quiet.h $(FUZZ_TENDER_OBJ)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_CC) -g -O1 $(FUZZ_SAN) -std=gnu11 -D_GNU_SOURCE -Iinclude -iquote tender -o $@ $< $(FUZZ_TENDER_OBJ) $(HOST_LDLIBS)

$(B)/fuzz/fuzz_manifest_json: tests/fuzz/fuzz_manifest_json.c tests/fuzz/fuzz_quiet.h $(FUZZ_ELFTOOL_SRC) tools/elftool/elftool.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_CC) -g -O1 $(FUZZ_SAN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Itools/elftool -o $@ $< $(FUZZ_ELFTOOL_SRC) -ljansson

.PHONY: fuzz
fuzz: $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
	@mkdir -p $(FUZZ_TARGETS:%=$(B)/fuzz/corpus/%)
	$(Q)for f in tests/fuzz/seeds/elf/* $(wildcard $(B)/tests/guests/*.wisp $(B)/examples/*.wisp); do \
	    cp "$$f" $(B)/fuzz/corpus/elf/seed-$$(echo "$$f" | tr / _); done
	$(Q)for f in tests/fuzz/seeds/json/* $(wildcard tests/guests/*/manifest.json examples/*/manifest.json); do \
	    cp "$$f" $(B)/fuzz/corpus/manifest_json/seed-$$(echo "$$f" | tr / _); done
	$(Q)cp tests/fuzz/seeds/cli/* $(B)/fuzz/corpus/cli/
	$(Q)cp tests/fuzz/seeds/hypercall/* $(B)/fuzz/corpus/hypercall/
	$(Q)cd $(B)/fuzz && for t in $(FUZZ_TARGETS); do \
	    echo "  FUZZ    $$t ($(FUZZ_TIME) s)"; \
	    ./fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=65536 -print_final_stats=1 corpus/$$t || exit 1; done

# ---- Solo5 compatibility flavour (guest-hvt) -------------------------------
# The second flavour of the guest library: Solo5 hvt ABI 2 binaries (CPL0,
# port-I/O hypercalls, Solo5's notes and layout) that solo5-hvt and wisp's
# compatibility mode both boot.  guest-hvt/*.{c,S} are its own files;
# HVT_SHARED names the portable files of the isolated flavour compiled again
# here with this flavour's flags.  Every test unikernel is also built in this
# flavour as build/tests/guests-hvt/NAME.hvt (wisp-cc --target=hvt).
HVT_SHARED := guest/string.c guest/ssp.c guest/tls.c
HVT_GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -ffreestanding -fno-pie -fno-pic \
           -fno-stack-protector -mno-sse -mno-mmx -mno-aes -mno-avx -mno-red-zone \
           -fno-asynchronous-unwind-tables -fno-builtin \
           -nostdinc -isystem $(shell $(CC) -print-file-name=include) -MMD -MP
HVT_GUEST_SRC := $(sort $(wildcard guest-hvt/*.c guest-hvt/*.S))
HVT_GUEST_OBJ := $(patsubst %,$(B)/obj/%.o,$(basename $(HVT_GUEST_SRC))) \
           $(patsubst guest/%.c,$(B)/obj/guest-hvt/shared/%.o,$(HVT_SHARED))

$(B)/obj/guest-hvt/%.o: guest-hvt/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(HVT_GUEST_CFLAGS) -c -o $@ $<

$(B)/obj/guest-hvt/%.o: guest-hvt/%.S
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  AS      $<"
	$(Q)$(CC) $(HVT_GUEST_CFLAGS) -c -o $@ $<

$(B)/obj/guest-hvt/shared/%.o: guest/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $< (hvt)"
	$(Q)$(CC) $(HVT_GUEST_CFLAGS) -c -o $@ $<

# One relocatable object whose only global symbols are the public API.
$(B)/lib/wisp/wisp-guest-hvt.o: $(HVT_GUEST_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD -r   $@"
	$(Q)ld -r -o $@.tmp $^
	$(Q)objcopy -w -G 'solo5_*' -G '_start' -G '__stack_chk_*' $@.tmp $@
	$(Q)rm -f $@.tmp

$(B)/lib/wisp/hvt.ld: guest-hvt/hvt.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@

HVT_TOOLCHAIN := $(TOOLCHAIN) $(B)/lib/wisp/wisp-guest-hvt.o $(B)/lib/wisp/hvt.ld
# A test guest that includes a wisp-specific header (<wisp.h>, <wisp/...>),
# directly or through a header of tests/guests/*/, uses wisp-only extensions
# and has no hvt build; a header that names __WISP_HVT__ serves both flavours.
HVT_WISP_HDRS := $(notdir $(shell grep -lE '^\#include *[<"]wisp[./]' tests/guests/*/*.h | xargs -r grep -L __WISP_HVT__))
# <wisp/lwip.h> is the exception: both flavours provide it.
HVT_WISP_ONLY := $(notdir $(patsubst %/,%,$(dir $(shell grep -HE \
    '^\#include *[<"]([^>"]*/)?(wisp[./]$(foreach h,$(HVT_WISP_HDRS),|$(subst .,\.,$(h))))' tests/guests/*/*.c \
    | grep -v '<wisp/lwip\.h>' | cut -d: -f1))))
HVT_TEST_BINS := $(filter-out $(HVT_WISP_ONLY:%=$(B)/tests/guests-hvt/%.hvt),$(GUEST_TESTS:%=$(B)/tests/guests-hvt/%.hvt))

$(B)/tests/guests-hvt/%.hvt: $$(wildcard tests/guests/%/*.c tests/guests/%/manifest.json) $(GUEST_COMMON) $(HVT_TOOLCHAIN) \
                             $$(call dir_flag_deps,tests/guests/$$*,hvt)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc --target=hvt -o $@ $(if $(wildcard tests/guests/$*/manifest.json),--manifest=tests/guests/$*/manifest.json) \
	    $(call dir_flags,tests/guests/$*) -Itests/guests/common $(wildcard tests/guests/$*/*.c) $(GUEST_COMMON)

all: $(B)/lib/wisp/wisp-guest-hvt.o $(B)/lib/wisp/hvt.ld $(HVT_TEST_BINS)

# ---- benchmarks -------------------------------------------------------------
# make bench: boot latency against the floor program (bench/floor.c),
# hypercall and page-fault cost, peak RSS, host memory of K idle guests;
# tables on stdout, bench/results/bench.{json,png,txt}.  Programs, not
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
	$(Q)bench/run.sh

# ---- hardware-virtualization semantics (QEMU TCG + nested kvm-amd) ----------
# make test-hwvirt [HWVIRT_TIMEOUT=SECONDS] [HWVIRT_SUITES="guests ..."]:
# run the KVM end-to-end suites (tests/e2e/*.bats that call require_kvm)
# inside a QEMU TCG guest whose /dev/kvm is Debian's kvm-amd on QEMU's
# emulated AMD SVM, i.e. under hardware-virtualization semantics that this
# machine's PVM hides (PLATFORM.md, last section).  The kernel and modules
# come from Debian's archive (apt-get download into build/hwvirt/), the
# userland from busybox-static, bash-static and bats; the tender, the test
# tools and wisp-elftool are linked statically for it.  Prints the same
# "N passed, N failed[, N skipped]" line as make test.
HWVIRT_TIMEOUT ?= 1500
HWVIRT_STATIC := $(B)/bin/wisp-static $(B)/hwvirt/bin/wisp-elftool $(B)/hwvirt/bin/kvm-facts \
                 $(TEST_TOOL_SRC:tests/tools/%.c=$(B)/hwvirt/tools/%)

$(B)/bin/wisp-static: $(TENDER_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static -o $@ $^ $(HOST_LDLIBS)

$(B)/hwvirt/bin/wisp-elftool: $(ELFTOOL_OBJ) $(ELFTOOL_SHARED)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static -o $@ $^ -ljansson

$(B)/hwvirt/bin/kvm-facts: tests/hwvirt/kvm-facts.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@ (static)"
	$(Q)$(CC) $(HOST_CFLAGS) -static -o $@ $<

$(B)/hwvirt/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@ (static)"
	$(Q)$(CC) $(HOST_CFLAGS) -static -o $@ $<

.PHONY: test-hwvirt hwvirt-deps
hwvirt-deps: deps
	$(Q)tests/hwvirt/install-deps.sh

test-hwvirt: hwvirt-deps
	$(Q)$(MAKE) --no-print-directory all $(HWVIRT_STATIC)
	$(Q)HWVIRT_TIMEOUT=$(HWVIRT_TIMEOUT) tests/hwvirt/run.sh
