# ---- example services: host-built parts (unit tests, fuzzers) ---------------
# The pure-C modules of examples/common/ (ustar reader, HTTP parser) are
# tested and fuzzed on the host.  Their unit tests link the module itself,
# not the tender objects the generic unit rule links, and the ustar reader's
# block reads come from the test's own memory device (ustar_dev.h).

$(B)/tests/unit/test_ustar: tests/unit/test_ustar.c examples/common/ustar.c examples/common/ustar.h \
                           examples/common/ustar_dev.h examples/common/file_cache.c examples/common/file_cache.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(HOST_CFLAGS)) -Iexamples/common -o $@ tests/unit/test_ustar.c \
	    examples/common/ustar.c examples/common/file_cache.c -lcmocka

$(B)/tests/unit/test_http_parse: tests/unit/test_http_parse.c examples/common/http_parse.c examples/common/http_parse.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(HOST_CFLAGS)) -Iexamples/common -o $@ tests/unit/test_http_parse.c examples/common/http_parse.c -lcmocka

# libFuzzer targets: fuzz_http (request parser) and fuzz_ustar (archive
# reader and file cache on a memory device), seeds tests/fuzz/seeds/{http,ustar}/.
# Where mk/fuzz.mk builds every tests/fuzz/fuzz_*.c (make fuzz), these are
# hooked into it: its recipe, plus our objects and include path.  Without
# it, a standalone clang rule.  Either way:
#   make build/fuzz/fuzz_http build/fuzz/fuzz_ustar
#   make fuzz-examples [FUZZ_EX_TIME=SECONDS]     build and run both
FUZZ_EX_TIME ?= 60
FUZZ_EX_SRC_http := examples/common/http_parse.c
FUZZ_EX_SRC_ustar := examples/common/ustar.c examples/common/file_cache.c
FUZZ_EX_HDR := $(wildcard examples/common/*.h)
ifeq ($(wildcard mk/fuzz.mk),)
FUZZ_EX_CC  ?= clang
FUZZ_EX_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(B)/fuzz/fuzz_http $(B)/fuzz/fuzz_ustar: $(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_EX_SRC_%) $(FUZZ_EX_HDR)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  FUZZ-CC $@"
	$(Q)$(FUZZ_EX_CC) -g -O1 $(FUZZ_EX_SAN) -std=gnu11 -Iinclude -Iexamples/common -o $@ $< $(FUZZ_EX_SRC_$*)
else
FUZZ_EX_OBJ_http := $(FUZZ_EX_SRC_http:%.c=$(B)/fuzz/obj/%.o)
FUZZ_EX_OBJ_ustar := $(FUZZ_EX_SRC_ustar:%.c=$(B)/fuzz/obj/%.o)
$(B)/fuzz/fuzz_http: $(FUZZ_EX_OBJ_http)
$(B)/fuzz/fuzz_http: FUZZ_LIB_OBJ += $(FUZZ_EX_OBJ_http)
$(B)/fuzz/fuzz_ustar: $(FUZZ_EX_OBJ_ustar)
$(B)/fuzz/fuzz_ustar: FUZZ_LIB_OBJ += $(FUZZ_EX_OBJ_ustar)
$(B)/fuzz/fuzz_http $(B)/fuzz/fuzz_ustar: FUZZ_CFLAGS += -Iexamples/common
$(FUZZ_EX_OBJ_http) $(FUZZ_EX_OBJ_ustar): $(FUZZ_EX_HDR)
$(FUZZ_EX_OBJ_http) $(FUZZ_EX_OBJ_ustar): FUZZ_CFLAGS += -Iexamples/common
endif

.PHONY: fuzz-examples
fuzz-examples: $(B)/fuzz/fuzz_http $(B)/fuzz/fuzz_ustar
	$(Q)for t in http ustar; do \
	    mkdir -p $(B)/fuzz/corpus/$$t && cp tests/fuzz/seeds/$$t/* $(B)/fuzz/corpus/$$t/ && \
	    echo "  FUZZ    $$t ($(FUZZ_EX_TIME) s)" && \
	    (cd $(B)/fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_EX_TIME) -max_len=65536 -print_final_stats=1 corpus/$$t) || exit 1; done

# The httpd and https examples compile examples/common/ sources named in
# their flags files; rebuild them when those change.
EXAMPLES_COMMON := $(wildcard examples/common/*.c examples/common/*.h)
$(B)/examples/httpd.wisp $(B)/examples/httpd.hvt $(B)/examples/https.wisp $(B)/examples/https.hvt: $(EXAMPLES_COMMON)
