/*
 * altcp_echo.h: the echo service of the lwIP test guests (lwip_echo over
 * plain TCP, lwip_tls over altcp_tls): every byte received on a connection
 * is sent back; a segment starting with "QUIT" sets altcp_echo_quit.
 * Compiled into every test guest (tests/guests/common/), but only where
 * lwIP's headers are on the include path (wisp-cc --lwip).
 */
#ifndef ALTCP_ECHO_H
#define ALTCP_ECHO_H

#include <lwip/altcp.h>

/* Set once a client sent a segment beginning with "QUIT". */
extern int altcp_echo_quit;

/* altcp_echo_serve: echo on every connection `listener` (bound and
 * listening) accepts, then run lwIP until a client said QUIT, and half a
 * second more so that the echo of QUIT goes out. */
void altcp_echo_serve(struct altcp_pcb *listener);

#endif
