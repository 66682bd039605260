# ---- wisp-oci: the OCI runtime (tender/programs/wisp-oci.c, tender/oci/) ----
# tender/oci/ is kept out of the tender library (mk/tender.mk) since it
# needs libjansson; only wisp-oci links it.
OCI_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(sort $(wildcard tender/oci/*.c)))
$(B)/bin/wisp-oci: $(OCI_OBJ)
$(B)/bin/wisp-oci: HOST_LDLIBS += -ljansson
