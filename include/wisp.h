/*
 * wisp.h: wisp-specific extensions to the guest API of <solo5.h>.  A
 * unikernel that uses only <solo5.h> stays buildable for Solo5; one that
 * includes this header is wisp-only.
 */
#ifndef WISP_H
#define WISP_H

#include <wisp/abi.h>

#include "solo5.h"

/*
 * wisp_boot_info: the boot information the tender placed at
 * WISP_BOOT_INFO_GPA (read-only to the guest: writing to it faults).  Valid
 * for the whole run, from solo5_app_main on.
 */
const struct wisp_boot_info *wisp_boot_info(void);

/*
 * wisp_block_flush: make every write to block device (handle) that has
 * completed so far durable on the host (fdatasync of the image).  Returns
 * SOLO5_R_OK, SOLO5_R_EINVAL for a bad handle or a read-only attachment,
 * SOLO5_R_EUNSPEC if the host reports an I/O error.
 */
solo5_result_t wisp_block_flush(solo5_handle_t handle);

#endif /* WISP_H */
