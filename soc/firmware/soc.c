/* Console and IRQ dispatch of the rvpmu SoC firmware. */
#include "soc.h"

volatile uint32_t soc_illegal_count;
volatile uint32_t soc_illegal_pc;

void soc_puts(const char *s) {
    while (*s)
        soc_putc(*s++);
}

void soc_put_str(const char *s, int width) {
    while (*s) {
        soc_putc(*s++);
        width--;
    }
    while (width-- > 0)
        soc_putc(' ');
}

void soc_put_rstr(const char *s, int width) {
    int n = 0;
    while (s[n])
        n++;
    while (width-- > n)
        soc_putc(' ');
    soc_puts(s);
}

void soc_sort_u32(uint32_t *a, int n) {
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* Decimal without division (picorv32's divider takes ~40 cycles per step). */
void soc_put_udec(uint32_t v, int width) {
    static const uint32_t pow10[] = {1000000000u, 100000000u, 10000000u, 1000000u, 100000u,
                                     10000u, 1000u, 100u, 10u, 1u};
    char buf[11];
    int n = 0;
    for (int i = 0; i < 10; i++) {
        char d = '0';
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (d != '0' || n || i == 9)
            buf[n++] = d;
    }
    for (int i = n; i < width; i++)
        soc_putc(' ');
    for (int i = 0; i < n; i++)
        soc_putc(buf[i]);
}

void soc_put_hex(uint32_t v) {
    soc_puts("0x");
    for (int i = 28; i >= 0; i -= 4)
        soc_putc("0123456789abcdef"[(v >> i) & 15]);
}

#define ACK_OF(n) \
    if (CSR_READ(RVPMU_CSR_MHPMEVENT##n##H) & SOC_OF_H) CSR_CLEAR(RVPMU_CSR_MHPMEVENT##n##H, SOC_OF_H);

void soc_lcofi_ack(void) {
    SOC_EACH_HPM(ACK_OF)
    CSR_CLEAR(RVPMU_CSR_MIP, RVPMU_MIP_LCOFIP);
}

__attribute__((weak)) void soc_lcofi(uint32_t pc) {
    (void)pc;
    soc_lcofi_ack();
}

void soc_irq(uint32_t ret, uint32_t pending) {
    if (pending & (1u << SOC_IRQ_ILLEGAL)) {
        /* picorv32 returns past the trapping instruction: q0 - 4 is its address. */
        soc_illegal_count++;
        soc_illegal_pc = ret - 4;
    }
    if (pending & (1u << SOC_IRQ_LCOFI))
        soc_lcofi(ret);
}
