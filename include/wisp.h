/*
 * wisp.h: wisp-specific extensions to the guest API of <solo5.h>.  A
 * unikernel that uses only <solo5.h> stays buildable for Solo5; one that
 * includes this header is wisp-only.
 */
#ifndef WISP_H
#define WISP_H

#include <wisp/abi.h>

/*
 * wisp_boot_info: the boot information the tender placed at
 * WISP_BOOT_INFO_GPA (read-only to the guest: writing to it faults).  Valid
 * for the whole run, from solo5_app_main on.
 */
const struct wisp_boot_info *wisp_boot_info(void);

#endif /* WISP_H */
