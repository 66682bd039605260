# ---- guest libraries: newlib, lwIP, mbedTLS and wisp's OS layer -------------
# What `wisp-cc --libc/--lwip/--mbedtls` links (README, "C library, TCP/IP
# and TLS").  The sources come from Debian (tools/fetch-guest-sources.sh,
# pinned and checked, unpacked once into build/guest-src/); each third-party
# library is built by one recipe into build/lib/wisp/ and marked done by
# its archive, so `make` after the first build only rebuilds what changed.
#
#   libc.a libm.a newlib/include/     newlib 3.3 for x86_64-elf (nano-malloc,
#                                     no supplied syscalls)
#   liblwip.a lwip/include/           lwIP 2.1.3, NO_SYS=1 (guest-lwip/include/
#                                     lwipopts.h); liblwip-tls.a: altcp_tls_mbedtls
#   libmbedtls.a mbedtls/include/     mbedTLS 2.28.3 (crypto, x509, tls), config
#                                     from guest-lwip/mbedtls.cfg
#   libwisp-libc.a  / -hvt.a          the OS layer (guest-libc/*.c) per flavour
#   libwisp-lwip.a  / -hvt.a          the network glue (guest-lwip/*.c) per flavour
#
# The third-party code is compiled once for both flavours: -mno-red-zone
# (required at CPL0), no stack protector, SSE allowed (as Solo5 allows its
# applications; GUEST_STACK.md: float printf and mbedTLS need it).  The OS
# layer and glue are compiled per flavour (-D__WISP_HVT__ for hvt: the
# isolated flavour uses wisp-only calls such as wisp_net_read_batch).

GL_SRC    := $(B)/guest-src
GL_FETCHED := $(GL_SRC)/.fetched
GL_WORK   := $(B)/guest-libs
GL_LIB    := $(B)/lib/wisp
GL_JOBS   ?= 2
NEWLIB_SRC := $(GL_SRC)/newlib-salsa
LWIP_SRC  := $(GL_SRC)/lwip-2.1.3+dfsg1/src
MBEDTLS_SRC := $(GL_SRC)/mbedtls-2.28.3
GCC_INC   := $(shell $(CC) -print-file-name=include)

# Flags for all third-party guest code (the fake cross compiler adds the
# code-model flags; see below).
GL_CODEGEN := -ffreestanding -mno-red-zone -fno-pic -fno-pie -fno-stack-protector \
              -fstack-clash-protection -U_FORTIFY_SOURCE -fno-asynchronous-unwind-tables
GL_LIBC_INC := -nostdinc -isystem $(GL_LIB)/newlib/include -isystem $(GCC_INC)

# Run every time (it returns at once when done before); it rewrites the
# stamp only when it fetches, i.e. when the pinned versions changed.
$(GL_FETCHED): FORCE
	$(Q)tools/fetch-guest-sources.sh $(GL_SRC)

# ---- newlib -------------------------------------------------------------------
# The host gcc poses as the cross compiler x86_64-elf-gcc (a wrapper adding
# the guest's code-generation flags; binutils symlinked under cross names).
# (Rewritten only when its text changes, so editing this file does not
# rebuild newlib.)
$(GL_WORK)/xbin/x86_64-elf-gcc: FORCE
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexec %s %s "$$@"\n' "$(CC)" "$(GL_CODEGEN)" > $@.tmp && chmod +x $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi
	$(Q)for t in ar as ld nm ranlib objdump objcopy strip readelf; do \
	    ln -sf "$$(command -v $$t)" $(@D)/x86_64-elf-$$t; done

# newlib's own make, started afresh (not as $(MAKE): `make -n` would run it).
GL_SUBMAKE := MAKEFLAGS= MFLAGS= make
NEWLIB_CONFIGURE := --target=x86_64-elf --prefix=$(abspath $(GL_WORK)/newlib-install) \
    --disable-multilib --disable-newlib-supplied-syscalls --enable-newlib-nano-malloc \
    --disable-libgloss --enable-newlib-io-c99-formats --enable-newlib-io-long-long \
    --disable-nls

$(GL_LIB)/libc.a: $(GL_FETCHED) $(GL_WORK)/xbin/x86_64-elf-gcc
	@echo "  NEWLIB  configure + build (about a minute)"
	$(Q)rm -rf $(GL_WORK)/newlib-build $(GL_WORK)/newlib-install && mkdir -p $(GL_WORK)/newlib-build
	$(Q)cd $(GL_WORK)/newlib-build && export PATH="$(abspath $(GL_WORK)/xbin):$$PATH" && \
	    { $(abspath $(NEWLIB_SRC))/configure $(NEWLIB_CONFIGURE) CFLAGS_FOR_TARGET="-O2 -g" && \
	      $(GL_SUBMAKE) -j$(GL_JOBS) all-target-newlib && $(GL_SUBMAKE) install-target-newlib; } > ../newlib.log 2>&1 || \
	    { tail -40 ../newlib.log; echo "newlib build failed: see $(GL_WORK)/newlib.log" >&2; exit 1; }
	$(Q)mkdir -p $(GL_LIB) && rm -rf $(GL_LIB)/newlib && mkdir -p $(GL_LIB)/newlib
	$(Q)cp -r $(GL_WORK)/newlib-install/x86_64-elf/include $(GL_LIB)/newlib/include
	$(Q)sed -i '$$e cat guest-libc/features-wisp.h' $(GL_LIB)/newlib/include/sys/features.h
	$(Q)cp $(GL_WORK)/newlib-install/x86_64-elf/lib/libm.a $(GL_LIB)/libm.a
	$(Q)cp $(GL_WORK)/newlib-install/x86_64-elf/lib/libc.a $@

$(GL_LIB)/libm.a: $(GL_LIB)/libc.a

# ---- shared compile step for lwIP and mbedTLS --------------------------------
# gl_archive OUT, SOURCES, FLAGS: compile SOURCES (GL_JOBS at a time) into
# objects under build/guest-libs/obj/OUT/ and archive them as OUT.
define gl_archive
	$(Q)rm -rf $(GL_WORK)/obj/$(notdir $(1)) && mkdir -p $(GL_WORK)/obj/$(notdir $(1)) $(dir $(1))
	$(Q)printf '%s\n' $(2) | xargs -P$(GL_JOBS) -n4 sh -c 'for s; do \
	    o=$(GL_WORK)/obj/$(notdir $(1))/$$(echo "$$s" | tr / _ | sed "s/\.c$$/.o/"); \
	    $(CC) -std=gnu11 -O2 -g $(GL_CODEGEN) $(3) -c -o "$$o" "$$s" || exit 255; done' sh
	$(Q)rm -f $(1) && ar rcs $(1) $(GL_WORK)/obj/$(notdir $(1))/*.o
endef

# ---- lwIP ---------------------------------------------------------------------
LWIP_PORT_HDRS := $(wildcard guest-lwip/include/*.h guest-lwip/include/*/*.h)
LWIP_FLAGS = $(GL_LIBC_INC) -Wall -Wno-address -Wno-unused-result -I$(GL_LIB)/lwip/include \
             -I$(GL_LIB)/mbedtls/include
LWIP_DIRS := core core/ipv4 core/ipv6 netif

$(GL_LIB)/lwip/include/lwipopts.h: $(GL_FETCHED) $(LWIP_PORT_HDRS)
	$(Q)rm -rf $(GL_LIB)/lwip && mkdir -p $(GL_LIB)/lwip
	$(Q)cp -r $(LWIP_SRC)/include $(GL_LIB)/lwip/include
	$(Q)cp -r guest-lwip/include/. $(GL_LIB)/lwip/include/

$(GL_LIB)/liblwip.a: $(GL_LIB)/lwip/include/lwipopts.h $(GL_LIB)/libc.a
	@echo "  LWIP    $@"
	$(call gl_archive,$@,$$(ls $(LWIP_DIRS:%=$(LWIP_SRC)/%/*.c) | grep -v -e /netif/bridgeif -e /netif/slipif \
	    -e /netif/lowpan6 -e /netif/zepif),$(LWIP_FLAGS))

$(GL_LIB)/liblwip-tls.a: $(GL_LIB)/lwip/include/lwipopts.h $(GL_LIB)/mbedtls/include/mbedtls/config.h $(GL_LIB)/libc.a
	@echo "  LWIP    $@"
	$(call gl_archive,$@,$(LWIP_SRC)/apps/altcp_tls/altcp_tls_mbedtls.c $(LWIP_SRC)/apps/altcp_tls/altcp_tls_mbedtls_mem.c,$(LWIP_FLAGS))

# ---- mbedTLS ------------------------------------------------------------------
# config.h: the upstream one edited by scripts/config.py with the commands
# listed in guest-lwip/mbedtls.cfg (one per line, # comments).
$(GL_LIB)/mbedtls/include/mbedtls/config.h: $(GL_FETCHED) guest-lwip/mbedtls.cfg
	$(Q)rm -rf $(GL_LIB)/mbedtls && mkdir -p $(GL_LIB)/mbedtls
	$(Q)cp -r $(MBEDTLS_SRC)/include $(GL_LIB)/mbedtls/include
	$(Q)sed -e 's/#.*//' -e '/^ *$$/d' guest-lwip/mbedtls.cfg | while read -r cmd; do \
	    python3 $(MBEDTLS_SRC)/scripts/config.py -f $@ $$cmd || exit 1; done

$(GL_LIB)/libmbedtls.a: $(GL_LIB)/mbedtls/include/mbedtls/config.h $(GL_LIB)/libc.a
	@echo "  MBEDTLS $@"
	$(call gl_archive,$@,$$(ls $(MBEDTLS_SRC)/library/*.c),$(GL_LIBC_INC) -Wall -I$(GL_LIB)/mbedtls/include \
	    -I$(MBEDTLS_SRC)/library)

# ---- the OS layer and network glue, per flavour -------------------------------
# guest-libc/*.c -> libwisp-libc{,-hvt}.a; guest-lwip/*.c -> libwisp-lwip{,-hvt}.a
GL_OWN_CFLAGS = -std=gnu11 -O2 -g $(WARN) -Wno-missing-prototypes $(GL_CODEGEN) $(GL_LIBC_INC) \
                -Iinclude -I$(GL_LIB)/lwip/include -I$(GL_LIB)/mbedtls/include -MMD -MP
GL_FLAVOUR_isolated :=
GL_FLAVOUR_hvt := -D__WISP_HVT__=1
WISP_LIBC_SRC := $(sort $(wildcard guest-libc/*.c))
WISP_LWIP_SRC := $(sort $(wildcard guest-lwip/*.c))

# gl_own_rules FLAVOUR: the compile rules of one flavour (one pattern rule
# per flavour: a pattern rule with two targets would be one recipe for both).
define gl_own_rules
$(B)/obj/guest-libc/$(1)/%.o: guest-libc/%.c $(GL_LIB)/libc.a
	@mkdir -p $$(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $$< ($(1))"
	$(Q)$(CC) $$(GL_OWN_CFLAGS) $(GL_FLAVOUR_$(1)) -c -o $$@ $$<
$(B)/obj/guest-lwip/$(1)/%.o: guest-lwip/%.c $(GL_LIB)/libc.a $(GL_LIB)/lwip/include/lwipopts.h
	@mkdir -p $$(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $$< ($(1))"
	$(Q)$(CC) $$(GL_OWN_CFLAGS) $(GL_FLAVOUR_$(1)) -c -o $$@ $$<
endef
$(eval $(call gl_own_rules,isolated))
$(eval $(call gl_own_rules,hvt))

$(GL_LIB)/libwisp-libc.a: $(WISP_LIBC_SRC:guest-libc/%.c=$(B)/obj/guest-libc/isolated/%.o)
$(GL_LIB)/libwisp-libc-hvt.a: $(WISP_LIBC_SRC:guest-libc/%.c=$(B)/obj/guest-libc/hvt/%.o)
$(GL_LIB)/libwisp-lwip.a: $(WISP_LWIP_SRC:guest-lwip/%.c=$(B)/obj/guest-lwip/isolated/%.o)
$(GL_LIB)/libwisp-lwip-hvt.a: $(WISP_LWIP_SRC:guest-lwip/%.c=$(B)/obj/guest-lwip/hvt/%.o)
$(GL_LIB)/libwisp-libc.a $(GL_LIB)/libwisp-libc-hvt.a $(GL_LIB)/libwisp-lwip.a $(GL_LIB)/libwisp-lwip-hvt.a:
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

GL_THIRD_PARTY := $(GL_LIB)/libc.a $(GL_LIB)/libm.a $(GL_LIB)/liblwip.a $(GL_LIB)/liblwip-tls.a \
                  $(GL_LIB)/libmbedtls.a
# What a unit with a `flags` file depends on, per target (Makefile).
GUEST_LIBS_isolated := $(GL_THIRD_PARTY) $(GL_LIB)/libwisp-libc.a $(GL_LIB)/libwisp-lwip.a
GUEST_LIBS_hvt := $(GL_THIRD_PARTY) $(GL_LIB)/libwisp-libc-hvt.a $(GL_LIB)/libwisp-lwip-hvt.a

.PHONY: guest-libs FORCE
FORCE:
guest-libs: $(GUEST_LIBS_isolated) $(GUEST_LIBS_hvt)
all: guest-libs
