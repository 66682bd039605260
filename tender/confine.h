/* Confinement of the tender before it runs the guest. */
#ifndef WISP_CONFINE_H
#define WISP_CONFINE_H

struct vm;

/* seccomp_confine: install the allow-list (base + every module's rules).
 * Afterwards only the run loop's syscalls are possible. */
int seccomp_confine(struct vm *vm);

#endif /* WISP_CONFINE_H */
