/* csrc/lite_pool.h on random windows (sizes, strides, dilations, padding,
   max and sum), each instruction set the CPU has against a plain in-order
   fold of every output, bit for bit; the input's last element sits against
   an unreadable page, so a read past it faults. Inputs and accumulators
   hold NaNs of several payloads (max; sums see one, x86's default), signed
   zeros and infinities in some cases; fresh rows (from the padding) find
   garbage in the output. Prints "RUNS BAD"; exits 1 on a
   mismatch. (tests/test_pool_direct.py compiles and runs it.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "lite_pool.h"

static uint64_t state = 88172645463325252ull;
static uint32_t next(void) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return (uint32_t)state;
}

static float value(int specials, int max) {
    static const uint32_t odd[] = {0x7FC00001u, 0xFFC00002u, 0x7FC00003u, 0x80000000u, 0x7F800000u, 0xFF800000u};
    uint32_t r = next() % 16, bits;
    float f = (float)(next() % 7) - 3.0f;
    if (r == 0)
        f = 0.0f;
    else if (specials && r < 7)
        return bits = max || r > 3 ? odd[r - 1] : 0xFFC00000u, memcpy(&f, &bits, 4), f;
    return f;
}

static float reference(const float* x, int64_t h, int64_t w, int64_t y, int64_t t, float acc, const int64_t* k,
                       int max) {
    for (int64_t ky = 0; ky < k[0]; ky++)
        for (int64_t kx = 0; kx < k[1]; kx++) {
            int64_t iy = y * k[2] + ky * k[4] - k[6], ix = t * k[3] + kx * k[5] - k[7];
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                acc = max ? acc : acc + 0.0f;
            else
                acc = max ? lite_pool2d_max1(acc, x[iy * w + ix]) : acc + x[iy * w + ix];
        }
    return acc;
}

int main(void) {
    long runs = 0, bad = 0;
    long page = 1 << 16;
    char* map = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + page, page, PROT_NONE))
        return 2;
    for (int iter = 0; iter < 3000; iter++) {
        int64_t h = 1 + next() % 9, w = 1 + next() % 70;   /* k: kh kw sh sw dh dw ph pw */
        int64_t k[8] = {1 + next() % 3, 1 + next() % 4, 1 + next() % 2, 1 + next() % 3, 1 + next() % 2,
                        1 + next() % 2, next() % 2, next() % 2};
        int max = next() % 2, specials = next() % 2, fresh = next() % 2;
        int64_t oh = (h + 2 * k[6] - (k[0] - 1) * k[4] - 1) / k[2] + 1, ow = (w + 2 * k[7] - (k[1] - 1) * k[5] - 1) / k[3] + 1;
        if (h + 2 * k[6] < (k[0] - 1) * k[4] + 1 || w + 2 * k[7] < (k[1] - 1) * k[5] + 1)
            continue;
        float* x = (float*)(map + page) - h * w;   /* its end against the unreadable page */
        for (int64_t i = 0; i < h * w; i++)
            x[i] = value(specials, max);
        for (int isa = LITE_ISA_SSE2; isa <= lite_isa(); isa++) {
            float* out = malloc(oh * ow * 4);
            float* want = malloc(oh * ow * 4);
            for (int64_t i = 0; i < oh * ow; i++)
                out[i] = want[i] = fresh ? (max ? -__builtin_inff() : 0.0f) : value(specials, max);
            if (fresh)   /* a fresh row does not read out: garbage there changes nothing */
                for (int64_t i = 0; i < oh * ow; i++)
                    out[i] = value(1, max);
            lite_pool2d_row g = {0};
            g.w = w, g.kw = k[1], g.sw = k[3], g.dw = k[5], g.pw = k[7], g.is_max = max, g.fresh = fresh, g.isa = isa;
            g.row_step = k[4] * w;
            for (int64_t y = 0; y < oh; y++) {   /* as csrc/pooling.pxi's pool_range */
                int64_t top = y * k[2] - k[6], ky0 = top >= 0 ? 0 : (-top + k[4] - 1) / k[4], ky1;
                ky0 = ky0 < k[0] ? ky0 : k[0];
                ky1 = top > h - 1 ? 0 : (h - 1 - top) / k[4] + 1;
                ky1 = ky1 < k[0] ? ky1 : k[0];
                ky1 = ky1 > ky0 ? ky1 : ky0;
                g.rows = ky1 - ky0, g.row = g.rows ? x + (top + ky0 * k[4]) * w : x;
                g.pad_before = ky0 > 0, g.pad_after = ky1 < k[0];
                lite_pool2d_row_f32(out + y * ow, ow, &g);
                for (int64_t t = 0; t < ow; t++)
                    want[y * ow + t] = reference(x, h, w, y, t, want[y * ow + t], k, max);
            }
            runs++;
            if (memcmp(out, want, oh * ow * 4) && bad++ < 5)
                printf("isa %d: %ldx%ld window %ldx%ld strides %ld,%ld dilations %ld,%ld pads %ld,%ld %s%s\n", isa, h,
                       w, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7], max ? "max" : "sum", fresh ? " fresh" : "");
            free(out), free(want);
        }
    }
    printf("%ld %ld\n", runs, bad);
    return bad != 0;
}
