# ---- the guest library --------------------------------------------------------
# guest/*.{c,S} -> build/lib/wisp/wisp-guest.o (isolated mode), and the
# public headers as installed in build/include.

# The compiler's own headers (stddef.h, stdarg.h) for -nostdinc builds.
# Asked of $(CC) once, and only when a guest file is compiled: a machine
# without a compiler can still run `make deps` without an error at parse
# time.
CC_INCLUDE = $(eval CC_INCLUDE := $$(shell $$(CC) -print-file-name=include 2>/dev/null))$(CC_INCLUDE)

GUEST_CFLAGS = -std=gnu11 -O2 -g $(WARN) -Iinclude -ffreestanding -fno-pie -fno-pic \
           -fno-stack-protector -fstack-clash-protection -mno-red-zone -mgeneral-regs-only \
           -fno-asynchronous-unwind-tables \
           -fno-builtin -nostdinc -isystem $(CC_INCLUDE) -MMD -MP
GUEST_SRC := $(sort $(wildcard guest/*.c guest/*.S))
GUEST_OBJ := $(patsubst %,$(B)/obj/%.o,$(basename $(GUEST_SRC)))

$(B)/obj/guest/%.o: guest/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(B)/obj/guest/%.o: guest/%.S
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  AS      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

# One relocatable object whose only global symbols are the public API.
$(B)/lib/wisp/wisp-guest.o: $(GUEST_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD -r   $@"
	$(Q)ld -r -o $@.tmp $^
	$(Q)objcopy -w -G 'solo5_*' -G 'wisp_*' -G '_start' -G '__stack_chk_*' $@.tmp $@
	$(Q)rm -f $@.tmp

$(B)/lib/wisp/%.ld: guest/%.ld
	@mkdir -p $(@D)
	$(Q)cp $< $@

GUEST_LDS := $(patsubst guest/%.ld,$(B)/lib/wisp/%.ld,$(wildcard guest/*.ld))

# Public headers as installed: build/include is what wisp-cc puts on the path.
PUBLIC_HDRS := $(patsubst include/%,$(B)/include/%,$(shell find include -name '*.h'))
$(B)/include/%.h: include/%.h
	@mkdir -p $(@D)
	$(Q)cp $< $@
