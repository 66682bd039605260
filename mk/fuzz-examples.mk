# ---- example services: host-built parts (unit tests, fuzzers) ---------------
# The pure-C modules of examples/common/ (ustar reader, HTTP parser) are
# tested and fuzzed on the host.  Their unit tests link the module itself,
# not the tender objects the generic unit rule links, and the ustar reader's
# block reads come from the test's own memory device (ustar_dev.h).

$(B)/tests/unit/test_ustar: tests/unit/test_ustar.c examples/common/ustar.c examples/common/ustar.h examples/common/ustar_dev.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(HOST_CFLAGS)) -Iexamples/common -o $@ tests/unit/test_ustar.c examples/common/ustar.c -lcmocka

$(B)/tests/unit/test_http_parse: tests/unit/test_http_parse.c examples/common/http_parse.c examples/common/http_parse.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(HOST_CFLAGS)) -Iexamples/common -o $@ tests/unit/test_http_parse.c examples/common/http_parse.c -lcmocka

# libFuzzer targets (tests/fuzz/README.md): fuzz_http (request parser) and
# fuzz_ustar (archive reader on a memory device), standalone with clang:
#   make build/fuzz/fuzz_http build/fuzz/fuzz_ustar
#   build/fuzz/fuzz_http -max_total_time=60 build/fuzz/corpus/http tests/fuzz/seeds/http
# make fuzz-examples builds and runs both for FUZZ_TIME seconds each.
FUZZ_EX_CC  ?= clang
FUZZ_EX_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_EX_TIME ?= 60

$(B)/fuzz/fuzz_http: tests/fuzz/fuzz_http.c examples/common/http_parse.c examples/common/http_parse.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_EX_CC) -g -O1 $(FUZZ_EX_SAN) -std=gnu11 -Iexamples/common -o $@ tests/fuzz/fuzz_http.c examples/common/http_parse.c

$(B)/fuzz/fuzz_ustar: tests/fuzz/fuzz_ustar.c examples/common/ustar.c examples/common/ustar.h examples/common/ustar_dev.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_EX_CC) -g -O1 $(FUZZ_EX_SAN) -std=gnu11 -Iinclude -Iexamples/common -o $@ tests/fuzz/fuzz_ustar.c examples/common/ustar.c

.PHONY: fuzz-examples
fuzz-examples: $(B)/fuzz/fuzz_http $(B)/fuzz/fuzz_ustar
	$(Q)for t in http ustar; do \
	    mkdir -p $(B)/fuzz/corpus/$$t && cp tests/fuzz/seeds/$$t/* $(B)/fuzz/corpus/$$t/ && \
	    echo "  FUZZ    $$t ($(FUZZ_EX_TIME) s)" && \
	    (cd $(B)/fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_EX_TIME) -max_len=65536 -print_final_stats=1 corpus/$$t) || exit 1; done
