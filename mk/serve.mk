# ---- wisp serve's benchmark ----------------------------------------------------
# make bench-serve: accept-to-first-byte latency and connections per second
# of `wisp serve` (fresh VM per connection, with and without --pool) beside
# a process per connection (bench/serve/inetd.c forking fn-http built with
# --target=process), interleaved in one run (bench/serve.sh).
$(B)/bench/serve/inetd: bench/serve/inetd.c
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  CC      $@"
	$(Q)$(CC) -std=gnu11 -O2 -D_GNU_SOURCE $(WARN) -o $@ $<

$(B)/bench/serve/fn-http.process: examples/fn-http/fn-http.c $(PROCESS_TOOLCHAIN)
	@mkdir -p $(@D)
	@[ "$(V)" != 0 ] || echo "  WISP-CC $@ (process)"
	$(Q)$(B)/bin/wisp-cc --target=process -o $@ $<

.PHONY: bench-serve
bench-serve: all $(B)/bench/serve/inetd $(B)/bench/serve/fn-http.process $(B)/bench/floor
	$(Q)bench/serve.sh
