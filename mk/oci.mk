# ---- wisp-oci: the OCI runtime (tender/programs/wisp-oci.c, tender/oci/) ----
# tender/oci/ is kept out of the tender library (mk/tender.mk) since it
# needs libjansson; only wisp-oci links it.
OCI_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(sort $(wildcard tender/oci/*.c)))
$(B)/bin/wisp-oci: $(OCI_OBJ)
$(B)/bin/wisp-oci: HOST_LDLIBS += -ljansson

# wisp-oci pack runs wisp-oci-pack from wisp-oci's own directory.
$(B)/bin/wisp-oci-pack: tools/wisp-oci-pack
	@mkdir -p $(@D)
	$(Q)cp $< $@ && chmod +x $@
ALL += $(B)/bin/wisp-oci-pack

# The config.json parser's fuzz target (tests/fuzz/fuzz_oci_spec.c) links
# the two files of tender/oci/ it needs beside the fuzz library.
OCI_FUZZ_OBJ := $(B)/fuzz/obj/tender/oci/spec.o $(B)/fuzz/obj/tender/oci/log.o
$(B)/fuzz/fuzz_oci_spec: $(OCI_FUZZ_OBJ)
$(B)/fuzz/fuzz_oci_spec: FUZZ_LIB_OBJ += $(OCI_FUZZ_OBJ)
