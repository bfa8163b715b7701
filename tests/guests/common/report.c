/* Test results: a reason line, then exactly one "Test result:" line, then power off. */
#include "xtf.h"

static void print_reason(const char *label, const char *fmt, va_list ap)
{
    char reason[256];

    vsnprintf(reason, sizeof(reason), fmt, ap);
    printf("%s: %s\n", label, reason);
}

static _Noreturn void report_and_power_off(const char *result)
{
    printf("Test result: %s\n", result);
    domain_shutdown(SHUTDOWN_poweroff);
}

void xtf_success(void)
{
    report_and_power_off("SUCCESS");
}

void xtf_failure(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_reason("Failure", fmt, ap);
    va_end(ap);
    report_and_power_off("FAILURE");
}

void xtf_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_reason("Error", fmt, ap);
    va_end(ap);
    report_and_power_off("ERROR");
}

void xtf_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    print_reason("Skip", fmt, ap);
    va_end(ap);
    report_and_power_off("SKIP");
}
