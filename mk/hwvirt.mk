# ---- hardware-virtualization semantics (QEMU TCG + nested kvm-amd) --------------
# make test-hwvirt [HWVIRT_TIMEOUT=SECONDS] [HWVIRT_SUITES="guests ..."]:
# run the KVM end-to-end suites (tests/e2e/*.bats that call require_kvm)
# inside a QEMU TCG guest whose /dev/kvm is Debian's kvm-amd on QEMU's
# emulated AMD SVM, i.e. under hardware-virtualization semantics that this
# machine's PVM hides (PLATFORM.md, last section).  The kernel and modules
# come from Debian's archive (apt-get download into build/hwvirt/), the
# userland from busybox-static, bash-static and bats; the tender (static
# already: build/bin/wisp, copied as wisp-static), the test tools and
# wisp-elftool are linked statically for it.  Prints the same
# "N passed, N failed[, N skipped]" line as make test.
HWVIRT_TIMEOUT ?= 1500
HWVIRT_STATIC := $(B)/bin/wisp-static $(B)/hwvirt/bin/wisp-elftool $(B)/hwvirt/bin/kvm-facts \
                 $(patsubst tests/tools/%.c,$(B)/hwvirt/tools/%,$(wildcard tests/tools/*.c))

$(B)/bin/wisp-static: $(B)/bin/wisp
	$(Q)cp $< $@

$(B)/hwvirt/bin/wisp-elftool: $(ELFTOOL_OBJ) $(ELFTOOL_SHARED)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static -o $@ $^ -ljansson

$(B)/hwvirt/bin/kvm-facts: tests/hwvirt/kvm-facts.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@ (static)"
	$(Q)$(CC) $(HOST_CFLAGS) -static -o $@ $<

$(B)/hwvirt/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@ (static)"
	$(Q)$(CC) $(HOST_CFLAGS) -static -o $@ $<

.PHONY: test-hwvirt hwvirt-deps
hwvirt-deps: deps
	$(Q)tests/hwvirt/install-deps.sh

test-hwvirt: hwvirt-deps
	$(Q)$(MAKE) --no-print-directory all $(HWVIRT_STATIC)
	$(Q)HWVIRT_TIMEOUT=$(HWVIRT_TIMEOUT) tests/hwvirt/run.sh

# Everything test-hwvirt needs built, without running it (.ci/run builds
# once, then runs make test and make test-hwvirt side by side).
.PHONY: hwvirt-build
hwvirt-build: all $(HWVIRT_STATIC)
