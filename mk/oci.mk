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
