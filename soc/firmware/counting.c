/* Counting program: three workloads, each measured with every event of the SoC's PMU at
 * once (one programmable counter per event input, plus mcycle and minstret), printed as a
 * table. Every printed count is also reported for the RVFI cross-check (soc/check.py). */
#include "soc.h"

/* Workload sizes; `rvpmu soc run counting -D N_SORT=16 ...` makes a shorter run. */
#ifndef N_SORT
#define N_SORT 48
#endif
#ifndef N_CRC
#define N_CRC 48
#endif
#ifndef N_MAT
#define N_MAT 5
#endif
#define SOC_COL_WIDTH 15


static uint32_t sort_data[N_SORT];
static uint8_t crc_data[N_CRC];
static int32_t mat_a[N_MAT][N_MAT], mat_b[N_MAT][N_MAT], mat_c[N_MAT][N_MAT];
static volatile uint32_t sink;

static uint32_t crc32(const uint8_t *p, int n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (int i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
    return ~crc;
}

static void matmul(void) {
    for (int i = 0; i < N_MAT; i++)
        for (int j = 0; j < N_MAT; j++) {
            int32_t s = 0;
            for (int k = 0; k < N_MAT; k++)
                s += mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = s / (i + 1);
        }
}

/* The counters in column order: mcycle, minstret, then mhpmcounter3.. (one per event). */
#define N_COLS (2 + RVPMU_NUM_COUNTERS)
static const char *const col_name[N_COLS] = SOC_COLUMN_NAMES;
static const uint32_t col_csr[N_COLS] = SOC_COLUMN_CSRS;

#define READ_HPM(n) *p++ = CSR_READ(RVPMU_CSR_MHPMCOUNTER##n);
static inline __attribute__((always_inline)) void read_all(uint32_t *p) {
    *p++ = CSR_READ(RVPMU_CSR_MCYCLE);
    *p++ = CSR_READ(RVPMU_CSR_MINSTRET);
    SOC_EACH_HPM(READ_HPM)
}

static uint32_t before[N_COLS + 8], after[N_COLS + 8];

static void measure(int k, const char *name, void (*work)(void)) {
    soc_mark(SOC_MARK_BEGIN + k);
    read_all(before);
    work();
    read_all(after);
    soc_mark(SOC_MARK_END + k);
    soc_put_str(name, 8);
    for (int c = 0; c < N_COLS; c++) {
        uint32_t d = after[c] - before[c];
        soc_result(col_csr[c], d);
        soc_put_udec(d, SOC_COL_WIDTH);
    }
    soc_putc('\n');
}

static void work_sort(void) { soc_sort_u32(sort_data, N_SORT); }
static void work_crc(void) { sink = crc32(crc_data, N_CRC); }
static void work_matmul(void) { matmul(); }

#define PROGRAM_EVENT(n) \
    CSR_WRITE(RVPMU_CSR_MHPMCOUNTER##n, 0); \
    CSR_WRITE(RVPMU_CSR_MHPMEVENT##n, SOC_HPM_EVENT_##n);

int main(void) {
    uint32_t x = 12345;
    for (int i = 0; i < N_SORT; i++) {
        x = x * 1103515245u + 12345u;
        sort_data[i] = x >> 8;
    }
    for (int i = 0; i < N_CRC; i++)
        crc_data[i] = (uint8_t)(i * 7 + 3);
    for (int i = 0; i < N_MAT; i++)
        for (int j = 0; j < N_MAT; j++) {
            mat_a[i][j] = i + 2 * j - 3;
            mat_b[i][j] = 3 * i - j + 1;
        }
    /* mhpmcounterN counts the event soc_map.h assigns it (SOC_HPM_EVENT_N). */
    SOC_EACH_HPM(PROGRAM_EVENT)
    CSR_WRITE(RVPMU_CSR_MCOUNTINHIBIT, 0);

    soc_puts("rvpmu SoC counting program: every event, per workload\n");
    soc_put_str("workload", 8);
    for (int c = 0; c < N_COLS; c++)
        soc_put_rstr(col_name[c], SOC_COL_WIDTH);
    soc_putc('\n');
    measure(0, "sort", work_sort);
    measure(1, "crc32", work_crc);
    measure(2, "matmul", work_matmul);
    for (int i = 1; i < N_SORT; i++)
        if (sort_data[i - 1] > sort_data[i]) {
            soc_puts("sort: not sorted\n");
            return 1;
        }
    uint32_t trace = 0;
    for (int i = 0; i < N_MAT; i++)
        trace += (uint32_t)mat_c[i][i];
    soc_puts("crc32 = ");
    soc_put_hex(sink);
    soc_puts(", trace(C) = ");
    soc_put_hex(trace);
    soc_putc('\n');
    return 0;
}
