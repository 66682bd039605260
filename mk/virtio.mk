# ---- the virtio target (guest-virtio) -----------------------------------------
# A flavour of the guest library of its own: unikernels that standard
# hypervisors boot directly (QEMU -kernel, Firecracker, GRUB/bhyve) through
# a multiboot or PVH entry, with virtio devices over PCI or MMIO
# (README "The virtio target").  guest-virtio/*.{c,S} are its own files;
# VIRTIO_SHARED names the portable files of the isolated flavour compiled
# again with this flavour's flags; GUEST_CPL0_SRC (Makefile) the CPU
# tables and exception entry of guest-cpl0/.  wisp-cc --target=virtio links with
# build/lib/wisp/wisp-guest-virtio.o and virtio.ld; build/bin/wisp-run-virtio
# boots the result under QEMU.  The test unikernels that make sense there
# (VIRTIO_TESTS) are built as build/tests/guests-virtio/NAME.virtio.
VIRTIO_SHARED := guest/string.c guest/ssp.c guest/tls.c
VIRTIO_GUEST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Iinclude -ffreestanding -fno-pie -fno-pic \
           -fno-stack-protector -fstack-clash-protection -mno-sse -mno-mmx -mno-aes -mno-avx -mno-red-zone \
           -mgeneral-regs-only -fno-asynchronous-unwind-tables -fno-builtin \
           -nostdinc -isystem $(shell $(CC) -print-file-name=include) -MMD -MP
VIRTIO_GUEST_SRC := $(sort $(wildcard guest-virtio/*.c guest-virtio/*.S))
VIRTIO_GUEST_OBJ := $(patsubst %,$(B)/obj/%.o,$(basename $(VIRTIO_GUEST_SRC))) \
           $(patsubst guest/%.c,$(B)/obj/guest-virtio/shared/%.o,$(VIRTIO_SHARED)) \
           $(patsubst guest-cpl0/%,$(B)/obj/guest-virtio/cpl0/%.o,$(basename $(GUEST_CPL0_SRC)))

$(eval $(call flavour_objs,guest-virtio,guest-virtio,VIRTIO_GUEST_CFLAGS,))
$(eval $(call flavour_objs,guest-virtio/shared,guest,VIRTIO_GUEST_CFLAGS,(virtio)))
$(eval $(call flavour_objs,guest-virtio/cpl0,guest-cpl0,VIRTIO_GUEST_CFLAGS,(virtio)))

# One relocatable object whose only global symbols are the public API.
$(B)/lib/wisp/wisp-guest-virtio.o: $(VIRTIO_GUEST_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD -r   $@"
	$(Q)ld -r -o $@.tmp $^
	$(Q)objcopy -w -G 'solo5_*' -G 'wisp_*' -G '_start' -G '__stack_chk_*' $@.tmp $@
	$(Q)rm -f $@.tmp

$(B)/lib/wisp/virtio.ld: guest-virtio/virtio.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(B)/bin/wisp-run-virtio: tools/wisp-run-virtio
	@mkdir -p $(@D)
	$(Q)cp $< $@ && chmod +x $@

VIRTIO_TOOLCHAIN := $(TOOLCHAIN) $(B)/lib/wisp/wisp-guest-virtio.o $(B)/lib/wisp/virtio.ld
# The guest libraries' OS layer and lwIP glue are the isolated flavour's:
# they call only solo5.h and wisp.h, which this flavour implements.
GUEST_LIBS_virtio = $(GUEST_LIBS_isolated)
# The test unikernels built for virtio: those that use only solo5.h and the
# parts of wisp.h the flavour has (wisp_block_flush, the net batches), and
# the guest-library ones (their DIR/flags, as for the other targets).
VIRTIO_TESTS := hello globals time tls ssp abort exception exitcode quiet output fpu rnox \
           zeropage xnow rnow wnox hnox snox stackov stackclash stackclash_noprobe notls idle \
           blkrw net_ping net_2if \
           libc lwip_echo lwip_tls
VIRTIO_TEST_BINS := $(VIRTIO_TESTS:%=$(B)/tests/guests-virtio/%.virtio)

$(B)/tests/guests-virtio/%.virtio: $$(wildcard tests/guests/%/*.c tests/guests/%/manifest.json) $(GUEST_COMMON) $(VIRTIO_TOOLCHAIN) \
                                  $$(call dir_flag_deps,tests/guests/$$*,virtio)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc --target=virtio -o $@ $(if $(wildcard tests/guests/$*/manifest.json),--manifest=tests/guests/$*/manifest.json) \
	    $(call dir_flags,tests/guests/$*) -Itests/guests/common $(wildcard tests/guests/$*/*.c) $(GUEST_COMMON)

# The examples (hello, httpd, https) for virtio: build/examples/NAME.virtio.
VIRTIO_EXAMPLE_BINS := $(EXAMPLES:%=$(B)/examples/%.virtio)
$(B)/examples/%.virtio: $$(wildcard examples/%/*.c examples/%/manifest.json) $(VIRTIO_TOOLCHAIN) \
                        $$(call dir_flag_deps,examples/$$*,virtio)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc --target=virtio -o $@ $(if $(wildcard examples/$*/manifest.json),--manifest=examples/$*/manifest.json) \
	    $(call dir_flags,examples/$*) $(wildcard examples/$*/*.c)
$(B)/examples/httpd.virtio $(B)/examples/https.virtio: $(wildcard examples/common/*.c examples/common/*.h)

ALL += $(B)/lib/wisp/wisp-guest-virtio.o $(B)/lib/wisp/virtio.ld $(B)/bin/wisp-run-virtio \
       $(VIRTIO_TEST_BINS) $(VIRTIO_EXAMPLE_BINS)
