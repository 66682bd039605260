# ---- make demo --------------------------------------------------------------
# Boot the https example in a private network namespace with a certificate
# made on the spot, fetch its page with curl (verifying the chain) and print
# it; everything it makes is removed afterwards (examples/https/demo.sh).
.PHONY: demo
demo: deps
	$(Q)$(MAKE) --no-print-directory $(B)/bin/wisp $(B)/examples/https.wisp
	$(Q)examples/https/demo.sh
