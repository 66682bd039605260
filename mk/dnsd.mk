# dnsd: the host-side builds of the DNS example (examples/dnsd/).  Its pure
# modules (zone parser, query reader, answerer) also build for the host:
#   build/tests/unit/test_dns_*        cmocka tests (this rule, not the
#                                      tender's: they link examples/dnsd/)
#   build/examples/dnsd-host           the same answerer as a Linux process
#                                      (bench/dns.sh's baseline)
#   build/fuzz/fuzz_dns_query          libFuzzer: dns_answer on raw packets
#   build/fuzz/fuzz_zone               libFuzzer: zone_parse on master files
# make fuzz-dns [FUZZ_TIME=SECONDS] builds and runs the two fuzz targets
# (seeds tests/fuzz/seeds/{dns_query,zone}/); where mk/fuzz.mk discovers
# every tests/fuzz/fuzz_*.c, make fuzz runs them too (hook below).

DNSD_SRC := $(filter-out examples/dnsd/main.c,$(wildcard examples/dnsd/*.c))
DNSD_HDR := $(wildcard examples/dnsd/*.h)

# More specific than the tender's unit rule (a shorter stem wins).
$(B)/tests/unit/test_dns_%: tests/unit/test_dns_%.c tests/unit/test_dns_util.h $(DNSD_SRC) $(DNSD_HDR)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(DNSD_SRC) -lcmocka

$(B)/examples/dnsd-host: examples/dnsd/host/dnsd_host.c $(DNSD_SRC) $(DNSD_HDR)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(DNSD_SRC)

all: $(B)/examples/dnsd-host

DNSD_FUZZ := $(B)/fuzz/fuzz_dns_query $(B)/fuzz/fuzz_zone
ifeq ($(wildcard mk/fuzz.mk),)
# Standalone: this tree's make fuzz lists its targets by hand.
FUZZ_CC ?= clang
$(DNSD_FUZZ): $(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/unit/test_dns_util.h $(DNSD_SRC) $(DNSD_HDR)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -std=gnu11 -o $@ $< $(DNSD_SRC)
else
# mk/fuzz.mk builds every tests/fuzz/fuzz_*.c with the objects in
# FUZZ_LIB_OBJ (and compiles any %.c to $(B)/fuzz/obj/%.o): add dnsd's.
DNSD_FUZZ_OBJ := $(DNSD_SRC:%.c=$(B)/fuzz/obj/%.o)
$(DNSD_FUZZ): $(DNSD_FUZZ_OBJ) tests/unit/test_dns_util.h
$(DNSD_FUZZ): FUZZ_LIB_OBJ += $(DNSD_FUZZ_OBJ)
$(DNSD_FUZZ_OBJ): $(DNSD_HDR)
endif

.PHONY: fuzz-dns
fuzz-dns: $(DNSD_FUZZ)
	@mkdir -p $(B)/fuzz/corpus/dns_query $(B)/fuzz/corpus/zone
	$(Q)cp tests/fuzz/seeds/dns_query/* $(B)/fuzz/corpus/dns_query/
	$(Q)cp tests/fuzz/seeds/zone/* $(B)/fuzz/corpus/zone/
	$(Q)cd $(B)/fuzz && for t in dns_query zone; do \
	    echo "  FUZZ    $$t ($(or $(FUZZ_TIME),60) s)"; \
	    ./fuzz_$$t -max_total_time=$(or $(FUZZ_TIME),60) -max_len=4096 -print_final_stats=1 \
	        corpus/$$t || exit 1; done

# The unikernel's rule (Makefile, examples) lists examples/dnsd/*.c only:
# its headers and the shared ustar reader (named in examples/dnsd/flags)
# are prerequisites too.
DNSD_GUEST_DEPS := $(DNSD_HDR) $(wildcard examples/common/ustar*.c examples/common/ustar*.h)
$(B)/examples/dnsd.wisp $(B)/examples/dnsd.hvt: $(DNSD_GUEST_DEPS)
