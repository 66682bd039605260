# ---- fuzz ---------------------------------------------------------------------
# make fuzz [FUZZ_TIME=SECONDS]: install clang if missing, build every
# libFuzzer target tests/fuzz/fuzz_NAME.c (tests/fuzz/README.md) and run
# each for a bounded time on the corpus build/fuzz/corpus/NAME, seeded from
# tests/fuzz/seeds/NAME/ (elf: plus every unikernel already built;
# manifest_json: plus every manifest.json of the tree).  Each target is
# linked with the tender library and wisp-elftool's parsers, compiled with
# the fuzzer's sanitizers; crashes land in build/fuzz/.
FUZZ_CC   ?= clang
FUZZ_TIME ?= 60
FUZZ_SAN  := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) -std=gnu11 -D_GNU_SOURCE -Iinclude -iquote tender \
               -iquote $(B)/gen -Itools/elftool -Itests/unit
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_LIB_SRC := $(TENDER_LIB_SRC) $(filter-out tools/elftool/main.c,$(ELFTOOL_SRC))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(B)/fuzz/obj/%.o)
FUZZ_SEEDS_elf := $(wildcard $(B)/tests/guests/*.wisp $(B)/examples/*.wisp)
FUZZ_SEEDS_manifest_json := $(wildcard tests/guests/*/manifest.json examples/*/manifest.json)

$(B)/fuzz/obj/%.o: %.c $(TENDER_HDRS) tools/elftool/elftool.h $(B)/gen/seccomp_core.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%): $(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(FUZZ_LIB_OBJ)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJ) $(HOST_LDLIBS) -ljansson

.PHONY: fuzz fuzz-deps
fuzz-deps:
	$(Q)tools/install-deps.sh fuzz clang libclang-rt-14-dev

fuzz: fuzz-deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)
	$(Q)for t in $(FUZZ_TARGETS); do mkdir -p $(B)/fuzz/corpus/$$t && \
	    cp tests/fuzz/seeds/$$t/* $(B)/fuzz/corpus/$$t/ || exit 1; done
	$(Q)for f in $(FUZZ_SEEDS_elf); do \
	    cp "$$f" $(B)/fuzz/corpus/elf/seed-$$(echo "$$f" | tr / _); done
	$(Q)for f in $(FUZZ_SEEDS_manifest_json); do \
	    cp "$$f" $(B)/fuzz/corpus/manifest_json/seed-$$(echo "$$f" | tr / _); done
	$(Q)cd $(B)/fuzz && for t in $(FUZZ_TARGETS); do \
	    echo "  FUZZ    $$t ($(FUZZ_TIME) s)"; \
	    ./fuzz_$$t -max_total_time=$(FUZZ_TIME) -max_len=65536 -print_final_stats=1 corpus/$$t || exit 1; done
