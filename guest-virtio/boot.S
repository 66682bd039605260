/*
 * boot.S: how a standard hypervisor enters the unikernel.  Two 32-bit
 * entries, both in protected mode with paging off and EBX pointing to the
 * loader's information:
 *   multiboot (QEMU -kernel, GRUB, grub-bhyve): the header below, with the
 *     a.out kludge (flag 16) so loaders take the load addresses from it
 *     instead of refusing a 64-bit ELF; EAX = 0x2BADB002.
 *   PVH (Firecracker, QEMU -kernel on an image without the multiboot header):
 *     Xen's PHYS32_ENTRY note (.note.Xen); EBX = struct hvm_start_info.
 * Both record the kind and EBX, zero .bss, identity-map the first 4 GiB
 * with 2 MiB pages (writable, executable: paging.c replaces these tables
 * with W^X ones at once), enter long mode and call vg_start on a boot stack.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010003 /* page-aligned modules, memory info, a.out kludge */

    .section .text.boot, "ax"
    .code32
    .balign 4
multiboot_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long multiboot_header      /* header_addr */
    .long _stext                /* load_addr: the file is linear from here */
    .long _edata                /* load_end_addr: the file's bytes end here */
    .long _ebss                 /* bss_end_addr */
    .long _start                /* entry_addr */

    .globl _start
_start:                         /* multiboot entry (and the ELF entry) */
    movl $1, vg_boot_kind
    jmp boot32
    .globl vg_start32_pvh
vg_start32_pvh:                 /* PVH entry */
    movl $2, vg_boot_kind
boot32:
    cli
    cld
    movl %eax, vg_boot_magic
    movl %ebx, vg_boot_info

    /* .bss: zero (a loader may already have done it). */
    movl $_sbss, %edi
    movl $_ebss, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl
    movl $boot_stack_top, %esp

    /* PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs; PD entries: 2 MiB pages. */
    movl $boot_pdpt, %eax
    orl $3, %eax
    movl %eax, boot_pml4
    movl $boot_pd, %eax
    orl $3, %eax
    movl $boot_pdpt, %edi
    movl $4, %ecx
1:  movl %eax, (%edi)
    addl $0x1000, %eax
    addl $8, %edi
    loop 1b
    movl $boot_pd, %edi
    movl $0x83, %eax            /* present, writable, 2 MiB */
    movl $2048, %ecx
2:  movl %eax, (%edi)
    addl $0x200000, %eax
    addl $8, %edi
    loop 2b

    movl %cr4, %eax
    orl $0x20, %eax             /* PAE */
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx      /* EFER.LME */
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    andl $0x9ffffffb, %eax      /* caches on (CD, NW clear), no x87 emulation (EM) */
    orl $0x80010003, %eax       /* PG, WP, MP, PE */
    movl %eax, %cr0
    lgdt boot_gdt_desc
    ljmp $0x08, $boot64

    .code64
boot64:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    call vg_start
3:  hlt
    jmp 3b

/* vg_switch_stack(top, fn): continue in fn() on the stack ending at top. */
    .text
    .globl vg_switch_stack
vg_switch_stack:
    movq %rdi, %rsp
    xorl %ebp, %ebp
    call *%rsi
4:  hlt
    jmp 4b

    .section .rodata
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
boot_gdt_desc:
    .word boot_gdt_desc - boot_gdt - 1
    .long boot_gdt

    .data
    .balign 4
    .globl vg_boot_kind, vg_boot_magic, vg_boot_info
vg_boot_kind:  .long 0
vg_boot_magic: .long 0
vg_boot_info:  .long 0

    .bss
    .balign 4096
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd:   .skip 4 * 4096
boot_stack: .skip 16384
boot_stack_top:

/* Xen's PHYS32_ENTRY note: the 32-bit PVH entry point. */
    .section .note.Xen, "a"
    .balign 4
    .long 4                     /* namesz: "Xen\0" */
    .long 8                     /* descsz */
    .long 18                    /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .quad vg_start32_pvh

    .section .note.GNU-stack, "", @progbits
