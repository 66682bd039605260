# ---- toolchain ----------------------------------------------------------------
# wisp-cc (tools/wisp-cc) and wisp-elftool (tools/elftool/, sharing the
# tender's ELF and manifest validators in tender/image/), with the guest
# library, linker scripts and public headers they install.
ELFTOOL_SRC := $(sort $(wildcard tools/elftool/*.c))
ELFTOOL_OBJ := $(ELFTOOL_SRC:%.c=$(B)/obj/%.o)
ELFTOOL_SHARED := $(filter $(B)/obj/tender/image/%,$(TENDER_LIB_OBJ))

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

.PHONY: toolchain
toolchain: $(TOOLCHAIN)
ALL += $(TOOLCHAIN)
