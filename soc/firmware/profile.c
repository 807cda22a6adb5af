/* Sampling profiler: mhpmcounter3 counts retired instructions and overflows every
 * SOC_SAMPLE_PERIOD of them (Sscofpmf); the LCOFI handler records the interrupted PC,
 * re-arms the counter and acknowledges the interrupt. At the end the histogram of sampled
 * PCs is printed; the host maps them to functions (`rvpmu soc run` prints the profile). */
#include "soc.h"

#ifndef SOC_SAMPLE_PERIOD
#define SOC_SAMPLE_PERIOD 400
#endif
#define MAX_SAMPLES 512

static uint32_t samples[MAX_SAMPLES];
static volatile uint32_t nsamples;
static volatile uint32_t sink;

/* The interrupt path: overflow -> LCOFIP -> picorv32 IRQ -> here -> re-arm -> clear OF ->
 * clear mip.LCOFIP (the PMU drops its interrupt request) -> retirq -> the next sample. */
static volatile uint32_t handler_errors;

void soc_lcofi(uint32_t pc) {
    /* the overflow set OF of mhpmevent3 (bit 63: bit 31 of mhpmevent3h) */
    if (!(CSR_READ(RVPMU_CSR_MHPMEVENT3H) & SOC_OF_H))
        handler_errors++;
    if (nsamples < MAX_SAMPLES)
        samples[nsamples] = pc;
    nsamples++;
    MMIO(SOC_SAMPLE) = pc;
    CSR_WRITE(RVPMU_CSR_MHPMCOUNTER3, -(uint32_t)SOC_SAMPLE_PERIOD);
    CSR_CLEAR(RVPMU_CSR_MHPMEVENT3H, SOC_OF_H);
    CSR_CLEAR(RVPMU_CSR_MIP, RVPMU_MIP_LCOFIP);
    if (CSR_READ(RVPMU_CSR_MIP) & RVPMU_MIP_LCOFIP)  /* acknowledged: the request is gone */
        handler_errors++;
}

__attribute__((noinline)) static void bubble_sort(uint32_t *a, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j + 1 < n - i; j++)
            if (a[j] > a[j + 1]) {
                uint32_t t = a[j];
                a[j] = a[j + 1];
                a[j + 1] = t;
            }
}

__attribute__((noinline)) static uint32_t checksum(const uint32_t *a, int n) {
    uint32_t s = 0;
    for (int i = 0; i < n; i++)
        s = (s << 5 | s >> 27) ^ a[i];
    return s;
}

__attribute__((noinline)) static uint32_t collatz_steps(uint32_t x) {
    uint32_t steps = 0;
    while (x != 1) {
        x = (x & 1) ? 3 * x + 1 : x >> 1;
        steps++;
    }
    return steps;
}

static uint32_t data[40];

int main(void) {
    uint32_t x = 99;
    for (int i = 0; i < 40; i++) {
        x = x * 1664525u + 1013904223u;
        data[i] = x >> 4;
    }
    CSR_WRITE(RVPMU_CSR_MHPMCOUNTER3, -(uint32_t)SOC_SAMPLE_PERIOD);
    CSR_WRITE(RVPMU_CSR_MHPMEVENT3, RVPMU_EVENT_INSTRET);
    CSR_WRITE(RVPMU_CSR_MCOUNTINHIBIT, 0);

    bubble_sort(data, 40);
    uint32_t steps = 0;
    for (uint32_t n = 1; n < 40; n++)
        steps += collatz_steps(n);
    sink = checksum(data, 40) ^ steps;

    CSR_WRITE(RVPMU_CSR_MHPMEVENT3, RVPMU_EVENT_NONE);  /* stop sampling */
    uint32_t n = nsamples < MAX_SAMPLES ? nsamples : MAX_SAMPLES;
    soc_sort_u32(samples, (int)n);  /* the PCs in order, for the histogram */
    soc_puts("rvpmu SoC sampling profiler: ");
    soc_put_udec(nsamples, 0);
    soc_puts(" samples, one every ");
    soc_put_udec(SOC_SAMPLE_PERIOD, 0);
    soc_puts(" retired instructions\n");
    for (uint32_t i = 0; i < n;) {
        uint32_t k = i;
        while (k < n && samples[k] == samples[i])
            k++;
        soc_puts("sample ");
        soc_put_hex(samples[i]);
        soc_putc(' ');
        soc_put_udec(k - i, 0);
        soc_putc('\n');
        i = k;
    }
    soc_puts("handler errors: ");
    soc_put_udec(handler_errors, 0);
    soc_putc('\n');
    return nsamples > 1 && handler_errors == 0 ? 0 : 1;
}
