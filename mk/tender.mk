# ---- the tender -------------------------------------------------------------
# tender/ is a library (every .c under it but tender/programs/) and thin
# programs over it: tender/programs/NAME.c -> build/bin/NAME.  Headers are
# included by their path below tender/ ("core/vm.h"); tender/wisp.h is the
# library's API.
TENDER_SRC      := $(sort $(wildcard tender/*.c tender/*/*.c tender/*/*/*.c))
TENDER_PROG_SRC := $(sort $(wildcard tender/programs/*.c))
TENDER_LIB_SRC  := $(filter-out $(TENDER_PROG_SRC) tender/oci/%,$(TENDER_SRC))
TENDER_LIB_OBJ  := $(TENDER_LIB_SRC:%.c=$(B)/obj/%.o)
TENDER_HDRS     := $(sort $(wildcard tender/*.h tender/*/*.h tender/*/*/*.h))
TENDER_PROGRAMS := $(TENDER_PROG_SRC:tender/programs/%.c=$(B)/bin/%)

# Static objects larger than 8000 bytes go to .lbss, after libc's .bss,
# instead of between libc's small ones: an idle tender touches the few
# libc ones (TLS set-up, CPU features) and not the large ones (serve's
# options, --stats counters), so they share fewer pages: one resident page
# less per guest (bench/README.md, memory).  The medium code model is what
# gives the threshold a meaning; it changes nothing else below 2 GiB.
TENDER_CFLAGS := -mcmodel=medium -mlarge-data-threshold=8000

$(B)/obj/tender/%.o: tender/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) $(TENDER_CFLAGS) -c -o $@ $<

# The build-time seccomp filter (confine/confine.h): gen-seccomp, linked
# with the tender's own rules, prints it; confine_bpf.c compiles it in.
CONFINE_BPF_OBJ := $(B)/obj/tender/confine/confine_bpf.o
GEN_SECCOMP_OBJ := $(filter-out $(CONFINE_BPF_OBJ),$(TENDER_LIB_OBJ))
$(B)/gen/gen-seccomp: tools/gen-seccomp.c $(GEN_SECCOMP_OBJ)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< $(GEN_SECCOMP_OBJ) $(HOST_LDLIBS)

$(B)/gen/seccomp_core.h: $(B)/gen/gen-seccomp
	@[ "$(V)" != 0 ] || echo "  GEN     $@"
	$(Q)$< > $@.tmp && mv $@.tmp $@

$(CONFINE_BPF_OBJ): tender/confine/confine_bpf.c $(B)/gen/seccomp_core.h
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(HOST_CFLAGS) -iquote $(B)/gen -c -o $@ $<

# Linked statically: dynamic loading of libc and libseccomp cost ~0.4 ms of
# every boot (make bench, bench/README.md).
# mk/tender-bss.ld: where one large libc object goes (see there).
$(TENDER_PROGRAMS): $(B)/bin/%: $(B)/obj/tender/programs/%.o $(TENDER_LIB_OBJ) mk/tender-bss.ld
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static -Wl,-T,mk/tender-bss.ld -o $@ $(filter %.o,$^) $(HOST_LDLIBS)

.PHONY: tender
tender: $(TENDER_PROGRAMS)
ALL += $(TENDER_PROGRAMS)
