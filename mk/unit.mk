# ---- unit tests ---------------------------------------------------------------
# tests/unit/test_*.c -> build/tests/unit/test_*, each linked with the
# tender library (cmocka; tests/run-all.sh runs them).
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)
$(B)/tests/unit/%: tests/unit/%.c $(TENDER_LIB_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/unit -o $@ $< $(TENDER_LIB_OBJ) $(HOST_LDLIBS) -lcmocka

.PHONY: unit
unit: $(UNIT_BINS)
ALL += $(UNIT_BINS)
