/* stackclash_noprobe: stackclash built with -fno-stack-clash-protection (flags): shows the hazard the default flag removes: the 64 KiB frame's store jumps the guard page into the heap, silently but for the guest's own heap check (status 3). */
#include "../stackclash/stackclash.c"
