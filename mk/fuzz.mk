# ---- fuzz ---------------------------------------------------------------------
# make fuzz [FUZZ_TIME=SECONDS | FUZZ_RUNS=N] [FUZZ_TARGETS="elf cli"]:
# install clang if missing, build every libFuzzer target
# tests/fuzz/fuzz_NAME.c (tests/fuzz/README.md) with ASan, UBSan and
# LeakSanitizer, and run each for a bounded time (FUZZ_TIME seconds, 60 by
# default) or a number of executions (FUZZ_RUNS, e.g. 10000000) on the
# corpus build/fuzz/corpus/NAME, seeded from tests/fuzz/seeds/NAME/ (elf:
# plus every unikernel already built; manifest_json: plus every
# manifest.json of the tree).  tests/fuzz/run.sh runs them one after the
# other and prints per target the executions, coverage (cov, ft: libFuzzer's
# final counters), crashes and leaks; make fuzz fails if any target found
# something (reproducers in build/fuzz/crashes/, logs in build/fuzz/log/).
# Each target is linked with the tender library and wisp-elftool's parsers,
# compiled with the fuzzer's sanitizers.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_RUNS ?=
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_TIME))
FUZZ_SAN  := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) -std=gnu11 -D_GNU_SOURCE -Iinclude -iquote tender \
               -iquote $(B)/gen -Itools/elftool -Itests/unit
FUZZ_ALL := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_LIB_SRC := $(TENDER_LIB_SRC) $(filter-out tools/elftool/main.c,$(ELFTOOL_SRC))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(B)/fuzz/obj/%.o)
# fuzz_dumpcore answers the vCPU's KVM_GET_REGS / KVM_GET_SREGS itself.
FUZZ_LDFLAGS_dumpcore := -Wl,--wrap=ioctl
FUZZ_SEEDS_elf := $(wildcard $(B)/tests/guests/*.wisp $(B)/examples/*.wisp)
FUZZ_SEEDS_manifest_json := $(wildcard tests/guests/*/manifest.json examples/*/manifest.json)

$(B)/fuzz/obj/%.o: %.c $(TENDER_HDRS) tools/elftool/elftool.h $(B)/gen/seccomp_core.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_ALL:%=$(B)/fuzz/fuzz_%): $(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_LIB_OBJ)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJ) $(FUZZ_LDFLAGS_$*) $(HOST_LDLIBS) -ljansson

.PHONY: fuzz fuzz-deps
fuzz-deps:
	$(Q)tools/install-deps.sh fuzz clang libclang-rt-14-dev

fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
	$(Q)for t in $(FUZZ_TARGETS); do mkdir -p $(B)/fuzz/corpus/$$t && \
	    if [ -d tests/fuzz/seeds/$$t ]; then cp tests/fuzz/seeds/$$t/* $(B)/fuzz/corpus/$$t/ || exit 1; fi; done
	$(Q)mkdir -p $(B)/fuzz/corpus/elf $(B)/fuzz/corpus/manifest_json
	$(Q)for f in $(FUZZ_SEEDS_elf); do \
	    cp "$$f" $(B)/fuzz/corpus/elf/seed-$$(echo "$$f" | tr / _); done
	$(Q)for f in $(FUZZ_SEEDS_manifest_json); do \
	    cp "$$f" $(B)/fuzz/corpus/manifest_json/seed-$$(echo "$$f" | tr / _); done
	$(Q)tests/fuzz/run.sh $(B)/fuzz $(B)/fuzz/corpus $(FUZZ_LIMIT) $(FUZZ_TARGETS)
