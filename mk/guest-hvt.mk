# ---- Solo5 compatibility flavour (guest-hvt) -----------------------------------
# The second flavour of the guest library: Solo5 hvt ABI 2 binaries (CPL0,
# port-I/O hypercalls, Solo5's notes and layout) that solo5-hvt and wisp's
# compatibility mode both boot.  guest-hvt/*.{c,S} are its own files;
# HVT_SHARED names the portable files of the isolated flavour compiled again
# here with this flavour's flags; GUEST_CPL0_SRC (guest-cpl0/) the CPU
# tables and exception entry it shares with the virtio flavour.  Every test unikernel is also built in this
# flavour as build/tests/guests-hvt/NAME.hvt (wisp-cc --target=hvt).
HVT_SHARED := guest/string.c guest/ssp.c guest/tls.c
HVT_GUEST_CFLAGS = -std=gnu11 -O2 -g $(WARN) -Iinclude -ffreestanding -fno-pie -fno-pic \
           -fno-stack-protector -fstack-clash-protection -mno-sse -mno-mmx -mno-aes -mno-avx -mno-red-zone \
           -fno-asynchronous-unwind-tables -fno-builtin \
           -nostdinc -isystem $(CC_INCLUDE) -MMD -MP
HVT_GUEST_SRC := $(sort $(wildcard guest-hvt/*.c guest-hvt/*.S))
HVT_GUEST_OBJ := $(patsubst %,$(B)/obj/%.o,$(basename $(HVT_GUEST_SRC))) \
           $(patsubst guest/%.c,$(B)/obj/guest-hvt/shared/%.o,$(HVT_SHARED)) \
           $(patsubst guest-cpl0/%,$(B)/obj/guest-hvt/cpl0/%.o,$(basename $(GUEST_CPL0_SRC)))

$(eval $(call flavour_objs,guest-hvt,guest-hvt,HVT_GUEST_CFLAGS,))
$(eval $(call flavour_objs,guest-hvt/shared,guest,HVT_GUEST_CFLAGS,(hvt)))
$(eval $(call flavour_objs,guest-hvt/cpl0,guest-cpl0,HVT_GUEST_CFLAGS,(hvt)))

# One relocatable object whose only global symbols are the public API
# (with wisp_input_read, the one <wisp.h> call it offers: "no input stream").
$(B)/lib/wisp/wisp-guest-hvt.o: $(HVT_GUEST_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD -r   $@"
	$(Q)ld -r -o $@.tmp $^
	$(Q)objcopy -w -G 'solo5_*' -G 'wisp_input_read' -G '_start' -G '__stack_chk_*' $@.tmp $@
	$(Q)rm -f $@.tmp

$(B)/lib/wisp/hvt.ld: guest-hvt/hvt.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@

HVT_TOOLCHAIN := $(TOOLCHAIN) $(B)/lib/wisp/wisp-guest-hvt.o $(B)/lib/wisp/hvt.ld
# A test guest that includes a wisp-specific header (<wisp.h>, <wisp/...>),
# directly or through a header of tests/guests/*/, uses wisp-only extensions
# and has no hvt build; a header that names __WISP_HVT__ serves both flavours.
HVT_WISP_HDRS := $(notdir $(shell grep -lE '^\#include *[<"]wisp[./]' tests/guests/*/*.h | xargs -r grep -L __WISP_HVT__))
# <wisp/lwip.h> is the exception: both flavours provide it.
HVT_WISP_ONLY := $(notdir $(patsubst %/,%,$(dir $(shell grep -HE \
    '^\#include *[<"]([^>"]*/)?(wisp[./]$(foreach h,$(HVT_WISP_HDRS),|$(subst .,\.,$(h))))' tests/guests/*/*.c \
    | grep -v '<wisp/lwip\.h>' | cut -d: -f1))))
HVT_TEST_BINS := $(filter-out $(HVT_WISP_ONLY:%=$(B)/tests/guests-hvt/%.hvt),$(GUEST_TESTS:%=$(B)/tests/guests-hvt/%.hvt))

$(B)/tests/guests-hvt/%.hvt: $$(wildcard tests/guests/%/*.c tests/guests/%/manifest.json) $(GUEST_COMMON) $(HVT_TOOLCHAIN) \
                             $$(call dir_flag_deps,tests/guests/$$*,hvt)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@"
	$(Q)$(B)/bin/wisp-cc --target=hvt -o $@ $(if $(wildcard tests/guests/$*/manifest.json),--manifest=tests/guests/$*/manifest.json) \
	    $(call dir_flags,tests/guests/$*) -Itests/guests/common $(wildcard tests/guests/$*/*.c) $(GUEST_COMMON)

ALL += $(B)/lib/wisp/wisp-guest-hvt.o $(B)/lib/wisp/hvt.ld $(HVT_TEST_BINS)
