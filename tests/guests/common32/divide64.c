/*
 * 64-bit unsigned division for i386: gcc turns it into calls to these libgcc
 * helpers (which one depends on whether quotient, remainder or both are
 * used), and the guests link no libgcc.  libc.c's printf needs them for its
 * 64-bit conversions.  Binary long division: slow, but only printf uses it.
 */
#include <stdbool.h>
#include <stdint.h>

uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);

/* n / d with the remainder in *rem; d must not be zero. */
static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0, r = 0;

    for (int bit = 63; bit >= 0; bit--) {
        bool carry = r >> 63; /* the shift below passes 2^64, so past any d */

        r = r << 1 | ((n >> bit) & 1);
        if (carry || r >= d) {
            r -= d;
            q |= 1ull << bit;
        }
    }
    *rem = r;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    uint64_t rem;

    return udivmod64(n, d, &rem);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t rem;

    udivmod64(n, d, &rem);
    return rem;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t r;
    uint64_t q = udivmod64(n, d, &r);

    if (rem)
        *rem = r;
    return q;
}
