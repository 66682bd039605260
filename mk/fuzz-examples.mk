# ---- example services: host-built parts (unit tests, fuzzers) ---------------
# The pure-C modules of examples/common/ (ustar reader, HTTP parser) are
# tested and fuzzed on the host.  Their unit tests link the module itself,
# not the tender objects the generic unit rule links, and the ustar reader's
# block reads come from the test's own memory device (ustar_dev.h).

$(B)/tests/unit/test_ustar: tests/unit/test_ustar.c examples/common/ustar.c examples/common/ustar.h examples/common/ustar_dev.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(HOST_CFLAGS)) -Iexamples/common -o $@ tests/unit/test_ustar.c examples/common/ustar.c -lcmocka
