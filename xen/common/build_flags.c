/*
 * What a live patch must be compiled like: the compiler and flags hvd
 * was built with, in the non-allocated section .hv.build_flags (one line
 * of text, NUL-terminated), where patchtool build reads them from hvd's
 * binary (docs/livepatch.md).
 */
#ifndef HV_BUILD_FLAGS
#error "HV_BUILD_FLAGS (the compiler command hvd is built with) is set by xen/hvd.am"
#endif

__asm__(".pushsection .hv.build_flags,\"\",@progbits\n\t"
        ".asciz \"" HV_BUILD_FLAGS "\"\n\t"
        ".popsection");
