/*
 * exit.c: how the unikernel ends, and how its exit status leaves the VM.
 *
 * First the frames written to NICs are given time to leave (net.c).
 * Status mapping (wisp-run-virtio decodes it; README "The virtio target"):
 *   1. the status byte (0..255) is written to I/O port 0xe9, QEMU's
 *      isa-debugcon device, which the script connects to a file;
 *   2. 0 is written to port 0x501, QEMU's isa-debug-exit device: QEMU exits
 *      with status 1, which tells the script that the file holds the status;
 *   3. without those devices (another hypervisor), a reset through the
 *      keyboard controller (Firecracker ends the VM on it), then a triple
 *      fault: the VM stops, and a status is lost.
 * solo5_exit(s) ends with s and prints nothing; solo5_abort, the stack
 * protector, library assertions and CPU exceptions print a "wisp: ..."
 * line, as the wisp tender does, and end with 255.
 */
#include "internal.h"

#define DEBUGCON_PORT 0xe9
#define DEBUG_EXIT_PORT 0x501

void vg_poweroff(int status)
{
    static int ending;

    if (!ending++ && vg_tsc_hz != 0)
        vg_net_drain(); /* not from a fault inside it, nor before clocks */
    vg_serial_drain();
    vg_outb(DEBUGCON_PORT, (uint8_t)status);
    vg_outw(DEBUG_EXIT_PORT, 0);
    vg_outb(0x64, 0xfe);
    /* Triple fault: an empty IDT, then an exception. */
    static const struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } no_idt = { 0, 0 };
    __asm__ __volatile__("cli; lidt %0; int3" : : "m"(no_idt));
    for (;;)
        __asm__ __volatile__("cli; hlt");
}

void solo5_exit(int status)
{
    vg_poweroff(status & 0xff);
}

void solo5_abort(void)
{
    vg_log("wisp: guest aborted\n");
    vg_poweroff(SOLO5_EXIT_ABORT);
}

void wg_abort_msg(const char *msg, size_t len)
{
    struct vg_line l = { .len = 0 };

    vg_line_str(&l, "wisp: guest aborted: ");
    for (size_t i = 0; i < len && l.len < sizeof l.buf - 1; i++)
        l.buf[l.len++] = (msg[i] >= 0x20 && msg[i] < 0x7f) ? msg[i] : '?';
    vg_line_end(&l);
    vg_poweroff(SOLO5_EXIT_ABORT);
}

void vg_panic(const char *msg)
{
    wg_abort_msg(msg, wg_strnlen(msg, 160));
}
