# ---- the process target (wisp-cc --target=process) --------------------------
# The third flavour of the guest library: the solo5.h API on Linux system
# calls, so the same unikernel runs as an ordinary seccomp-confined process
# (guest-process/internal.h).  guest-process/*.{c,S} are its own files;
# PROCESS_SHARED names the portable files of the isolated flavour compiled
# again with this flavour's flags.  The image is linked with wisp.ld, which
# Linux loads as a static executable at 0x100000.
PROCESS_SHARED := guest/string.c guest/ssp.c guest/tls.c
WISP_VERSION_STR := $(shell grep -rho 'define WISP_VERSION "[^"]*"' tender | head -1 | cut -d'"' -f2)
PROCESS_GUEST_CFLAGS := $(GUEST_CFLAGS) -DWP_VERSION='"$(WISP_VERSION_STR)"'
PROCESS_GUEST_SRC := $(sort $(wildcard guest-process/*.c guest-process/*.S))
PROCESS_GUEST_OBJ := $(patsubst %,$(B)/obj/%.o,$(basename $(PROCESS_GUEST_SRC))) \
           $(patsubst guest/%.c,$(B)/obj/guest-process/shared/%.o,$(PROCESS_SHARED))

$(B)/obj/guest-process/%.o: guest-process/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(PROCESS_GUEST_CFLAGS) -c -o $@ $<

$(B)/obj/guest-process/%.o: guest-process/%.S
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  AS      $<"
	$(Q)$(CC) $(PROCESS_GUEST_CFLAGS) -c -o $@ $<

$(B)/obj/guest-process/shared/%.o: guest/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $< (process)"
	$(Q)$(CC) $(PROCESS_GUEST_CFLAGS) -c -o $@ $<

# One relocatable object whose only global symbols are the public API.
$(B)/lib/wisp/wisp-guest-process.o: $(PROCESS_GUEST_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD -r   $@"
	$(Q)ld -r -d -o $@.tmp $^
	$(Q)objcopy -w -G 'solo5_*' -G 'wisp_*' -G '_start' -G '__stack_chk_*' $@.tmp $@
	$(Q)rm -f $@.tmp

PROCESS_TOOLCHAIN := $(TOOLCHAIN) $(B)/lib/wisp/wisp-guest-process.o

# Test unikernels that mean the same as a process: not those that test CPU
# faults, W^X or the VM's own boot information.
PROCESS_TESTS := hello exitcode output abort ssp time tls notls globals fpu quiet partial \
                 blkrw blk63 blktype net_ping net_burst net_2if
PROCESS_TEST_BINS := $(PROCESS_TESTS:%=$(B)/tests/guests-process/%.process)

$(B)/tests/guests-process/%.process: $$(wildcard tests/guests/%/*.c tests/guests/%/manifest.json) $(GUEST_COMMON) $(PROCESS_TOOLCHAIN)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc --target=process -o $@ $(if $(wildcard tests/guests/$*/manifest.json),--manifest=tests/guests/$*/manifest.json) \
	    -Itests/guests/common $(wildcard tests/guests/$*/*.c) $(GUEST_COMMON)

ALL += $(B)/lib/wisp/wisp-guest-process.o $(PROCESS_TEST_BINS)

# The I/O benchmark guests as processes: the baseline of bench/io.sh.
$(B)/bench/guests-process/%.process: $$(wildcard bench/guests/%/*.c bench/guests/%/manifest.json) $(PROCESS_TOOLCHAIN)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc --target=process -o $@ $(if $(wildcard bench/guests/$*/manifest.json),--manifest=bench/guests/$*/manifest.json) \
	    $(wildcard bench/guests/$*/*.c)

.PHONY: bench-io
# make bench-io: the same unikernels under wisp and as processes (bench/io.sh).
bench-io: all $(B)/bench/guests/blkbench.wisp $(B)/bench/guests-process/blkbench.process
	$(Q)bench/io.sh
