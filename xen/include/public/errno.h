/*
 * hv public ABI: error numbers.
 *
 * Every hypercall and control operation returns a signed 64-bit value:
 * 0..INT64_MAX is success, -XEN_Exxx is failure.  The values equal the
 * Linux x86 errno values, so a toolstack on Linux may use them directly.
 *
 * XEN_ERRNO(name, value) is an X-macro list: define XEN_ERRNO before
 * including this header to generate tables; without it the header defines
 * one enumerator per error.
 */
#ifndef HV_PUBLIC_ERRNO_H
#define HV_PUBLIC_ERRNO_H

#define XEN_ERRNO_LIST(X)                                                                          \
    X(EPERM, 1)                                                                                    \
    X(ENOENT, 2)                                                                                   \
    X(ESRCH, 3)                                                                                    \
    X(EINTR, 4)                                                                                    \
    X(EIO, 5)                                                                                      \
    X(ENXIO, 6)                                                                                    \
    X(E2BIG, 7)                                                                                    \
    X(ENOEXEC, 8)                                                                                  \
    X(EBADF, 9)                                                                                    \
    X(ECHILD, 10)                                                                                  \
    X(EAGAIN, 11)                                                                                  \
    X(ENOMEM, 12)                                                                                  \
    X(EACCES, 13)                                                                                  \
    X(EFAULT, 14)                                                                                  \
    X(EBUSY, 16)                                                                                   \
    X(EEXIST, 17)                                                                                  \
    X(EXDEV, 18)                                                                                   \
    X(ENODEV, 19)                                                                                  \
    X(EINVAL, 22)                                                                                  \
    X(ENFILE, 23)                                                                                  \
    X(EMFILE, 24)                                                                                  \
    X(ENOSPC, 28)                                                                                  \
    X(EMLINK, 31)                                                                                  \
    X(EDOM, 33)                                                                                    \
    X(ERANGE, 34)                                                                                  \
    X(EDEADLK, 35)                                                                                 \
    X(ENAMETOOLONG, 36)                                                                            \
    X(ENOLCK, 37)                                                                                  \
    X(ENOSYS, 38)                                                                                  \
    X(ENODATA, 61)                                                                                 \
    X(ETIME, 62)                                                                                   \
    X(EPROTO, 71)                                                                                  \
    X(EBADMSG, 74)                                                                                 \
    X(EOVERFLOW, 75)                                                                               \
    X(EILSEQ, 84)                                                                                  \
    X(ERESTART, 85)                                                                                \
    X(EUSERS, 87)                                                                                  \
    X(ENOTSOCK, 88)                                                                                \
    X(EMSGSIZE, 90)                                                                                \
    X(EOPNOTSUPP, 95)                                                                              \
    X(EADDRINUSE, 98)                                                                              \
    X(EADDRNOTAVAIL, 99)                                                                           \
    X(ENOBUFS, 105)                                                                                \
    X(EISCONN, 106)                                                                                \
    X(ENOTCONN, 107)                                                                               \
    X(ETIMEDOUT, 110)                                                                              \
    X(ECONNREFUSED, 111)

#ifndef XEN_ERRNO
#define XEN_ERRNO_ENUM_ENTRY(name, value) XEN_##name = value,
enum xen_errno { XEN_ERRNO_LIST(XEN_ERRNO_ENUM_ENTRY) };
#undef XEN_ERRNO_ENUM_ENTRY
#else
XEN_ERRNO_LIST(XEN_ERRNO)
#endif

#endif
