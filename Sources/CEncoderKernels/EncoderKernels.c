#include "EncoderKernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define EK_X86 1
#define EK_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512bf16")))
#endif

// erf(x) ~ x * P(x^2) / Q(x^2) on [-4, 4] (|error| < 4e-7 in float; erf is +-1 in float
// beyond). Coefficients fitted for RingBot by iterated weighted least squares.
static const float ek_erf_p[7] = {1.1283788681030273f, 0.20611362159252167f, 0.05138600617647171f,
                                  0.003965618088841438f, 0.00014822458615526557f,
                                  -1.9775156943069305e-06f, 1.9667931283606777e-08f};
static const float ek_erf_q[5] = {1.0f, 0.5159925818443298f, 0.11755333840847015f,
                                  0.014880657196044922f, 0.0010204738937318325f};

float ek_gelu(float v) {
    float x = v * 0.70710678118654752f;
    x = x > 4.0f ? 4.0f : (x < -4.0f ? -4.0f : x);
    float z = x * x;
    float p = ek_erf_p[6];
    for (int i = 5; i >= 0; i--) p = p * z + ek_erf_p[i];
    float q = ek_erf_q[4];
    for (int i = 3; i >= 0; i--) q = q * z + ek_erf_q[i];
    float erf = x * p / q;
    return 0.5f * v * (1.0f + erf);
}

static inline uint16_t ek_bf16(float v) {
    uint32_t bits;
    memcpy(&bits, &v, 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40u);  // quiet NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

static inline float ek_float(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float v;
    memcpy(&v, &bits, 4);
    return v;
}

int ek_uses_avx512bf16(void) {
#if EK_X86
    static int cached = -1;
    int value = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (value < 0) {
        __builtin_cpu_init();
        value = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512bf16");
        __atomic_store_n(&cached, value, __ATOMIC_RELAXED);
    }
    return value;
#else
    return 0;
#endif
}

size_t ek_packed_words(int n, int k) { return (size_t)n * (size_t)(k / 2); }

static void ek_pack_weights_portable(const float *w, int n, int k, uint32_t *packed) {
    int pairs = k / 2;
    for (int b = 0; b < n / 16; b++) {
        for (int p = 0; p < pairs; p++) {
            uint32_t *out = packed + ((size_t)b * pairs + p) * 16;
            for (int j = 0; j < 16; j++) {
                const float *row = w + (size_t)(16 * b + j) * k + 2 * p;
                out[j] = (uint32_t)ek_bf16(row[0]) | ((uint32_t)ek_bf16(row[1]) << 16);
            }
        }
    }
}

#if EK_X86
// Rounds 16 rows at a time with the bf16 conversion instruction (nearest, ties to even, as
// ek_bf16), then gathers each pair column of the block into one 16-word vector.
EK_AVX512 static void ek_pack_weights_avx512(const float *w, int n, int k, uint32_t *packed, uint32_t *rows) {
    int pairs = k / 2;
    __m512i index = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                       _mm512_set1_epi32(pairs));
    for (int b = 0; b < n / 16; b++) {
        for (int j = 0; j < 16; j++) {
            const float *row = w + (size_t)(16 * b + j) * k;
            int c = 0;
            for (; c + 32 <= k; c += 32) {
                __m512bh h = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + c + 16), _mm512_loadu_ps(row + c));
                _mm512_storeu_si512((void *)(rows + (size_t)j * pairs + c / 2), (__m512i)h);
            }
            for (; c < k; c += 2) {
                rows[(size_t)j * pairs + c / 2] = (uint32_t)ek_bf16(row[c]) | ((uint32_t)ek_bf16(row[c + 1]) << 16);
            }
        }
        uint32_t *out = packed + (size_t)b * pairs * 16;
        for (int p = 0; p < pairs; p++) {
            _mm512_storeu_si512((void *)(out + (size_t)p * 16), _mm512_i32gather_epi32(index, (const void *)(rows + p), 4));
        }
    }
}
#endif

void ek_pack_weights(const float *w, int n, int k, uint32_t *packed) {
#if EK_X86
    if (ek_uses_avx512bf16()) {
        uint32_t *rows = malloc((size_t)16 * (k / 2) * sizeof(uint32_t));
        if (rows) {
            ek_pack_weights_avx512(w, n, k, packed, rows);
            free(rows);
            return;
        }
    }
#endif
    ek_pack_weights_portable(w, n, k, packed);
}

static void ek_round_rows(const float *x, int rows, int k, uint32_t *scratch) {
    size_t words = (size_t)rows * (k / 2);
    for (size_t i = 0; i < words; i++) {
        scratch[i] = (uint32_t)ek_bf16(x[2 * i]) | ((uint32_t)ek_bf16(x[2 * i + 1]) << 16);
    }
}

// Portable path: the same bf16 inputs, products summed in fp32 pair by pair.
static void ek_linear_portable(const uint32_t *xa, int rows, int k, const uint32_t *packed,
                               const float *bias, int n, int gelu, float *y) {
    int pairs = k / 2;
    for (int t = 0; t < rows; t++) {
        const uint32_t *xr = xa + (size_t)t * pairs;
        for (int b = 0; b < n / 16; b++) {
            float acc[16] = {0};
            const uint32_t *wb = packed + (size_t)b * pairs * 16;
            for (int p = 0; p < pairs; p++) {
                float x0 = ek_float((uint16_t)(xr[p] & 0xffffu)), x1 = ek_float((uint16_t)(xr[p] >> 16));
                const uint32_t *wp = wb + (size_t)p * 16;
                for (int j = 0; j < 16; j++) {
                    acc[j] += x1 * ek_float((uint16_t)(wp[j] >> 16));
                    acc[j] += x0 * ek_float((uint16_t)(wp[j] & 0xffffu));
                }
            }
            for (int j = 0; j < 16; j++) {
                float v = acc[j] + bias[16 * b + j];
                y[(size_t)t * n + 16 * b + j] = gelu ? ek_gelu(v) : v;
            }
        }
    }
}

#if EK_X86
EK_AVX512 static inline __m512 ek_gelu16(__m512 v) {
    __m512 x = _mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752f));
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-4.0f)), _mm512_set1_ps(4.0f));
    __m512 z = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(ek_erf_p[6]);
    for (int i = 5; i >= 0; i--) p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(ek_erf_p[i]));
    __m512 q = _mm512_set1_ps(ek_erf_q[4]);
    for (int i = 3; i >= 0; i--) q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(ek_erf_q[i]));
    __m512 erf = _mm512_div_ps(_mm512_mul_ps(x, p), q);
    __m512 half = _mm512_mul_ps(v, _mm512_set1_ps(0.5f));
    return _mm512_fmadd_ps(half, erf, half);
}

EK_AVX512 static void ek_round_rows_avx512(const float *x, int rows, int k, uint32_t *scratch) {
    size_t values = (size_t)rows * k, i = 0;
    for (; i + 32 <= values; i += 32) {
        __m512bh h = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i));
        _mm512_storeu_si512((void *)(scratch + i / 2), (__m512i)h);
    }
    for (; i < values; i += 2) scratch[i / 2] = (uint32_t)ek_bf16(x[i]) | ((uint32_t)ek_bf16(x[i + 1]) << 16);
}

// One tile: `mt` (1...8) token rows by `nb` (1...3) 16-output blocks, all k. Both are
// constants at each call site, so the 8 x 3 sums stay in registers.
EK_AVX512 static inline __attribute__((always_inline)) void
ek_tile(int mt, int nb, const uint32_t *xa, int pairs, const uint32_t *w, const float *bias, int n, int gelu,
        float *y) {
    __m512 acc[8][3];
    for (int m = 0; m < mt; m++) for (int b = 0; b < nb; b++) acc[m][b] = _mm512_setzero_ps();
    size_t block = (size_t)pairs * 16;
    for (int p = 0; p < pairs; p++) {
        __m512bh wv[3];
        for (int b = 0; b < nb; b++) {
            // Small token counts are bound by reading the weights: ask for them 512 bytes ahead.
            _mm_prefetch((const char *)(w + b * block + (size_t)(p + 8) * 16), _MM_HINT_T0);
            wv[b] = (__m512bh)_mm512_loadu_si512((const void *)(w + b * block + (size_t)p * 16));
        }
        for (int m = 0; m < mt; m++) {
            __m512bh x = (__m512bh)_mm512_set1_epi32((int)xa[(size_t)m * pairs + p]);
            for (int b = 0; b < nb; b++) acc[m][b] = _mm512_dpbf16_ps(acc[m][b], x, wv[b]);
        }
    }
    for (int b = 0; b < nb; b++) {
        __m512 bv = _mm512_loadu_ps(bias + 16 * b);
        for (int m = 0; m < mt; m++) {
            __m512 v = _mm512_add_ps(acc[m][b], bv);
            if (gelu) v = ek_gelu16(v);
            _mm512_storeu_ps(y + (size_t)m * n + 16 * b, v);
        }
    }
}

#define EK_TILE_CASES(NB)                                                                          \
    switch (mt) {                                                                                  \
    case 8: ek_tile(8, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                           \
    case 7: ek_tile(7, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                           \
    case 6: ek_tile(6, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                           \
    case 5: ek_tile(5, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                           \
    case 4: ek_tile(4, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                           \
    case 3: ek_tile(3, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                           \
    case 2: ek_tile(2, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                           \
    default: ek_tile(1, NB, xr, pairs, w, bias + j, n, gelu, yr); break;                          \
    }

EK_AVX512 static void ek_linear_avx512(const uint32_t *xa, int rows, int k, const uint32_t *packed,
                                       const float *bias, int n, int gelu, float *y) {
    int pairs = k / 2;
    for (int j = 0; j < n; j += 48) {
        int nb = (n - j) / 16 < 3 ? (n - j) / 16 : 3;
        const uint32_t *w = packed + (size_t)(j / 16) * pairs * 16;
        for (int t = 0; t < rows; t += 8) {
            int mt = rows - t < 8 ? rows - t : 8;
            const uint32_t *xr = xa + (size_t)t * pairs;
            float *yr = y + (size_t)t * n + j;
            if (nb == 3) { EK_TILE_CASES(3) } else if (nb == 2) { EK_TILE_CASES(2) } else { EK_TILE_CASES(1) }
        }
    }
}
#endif

// Portable attention: plain loops, sums in index order.
static void ek_attention_portable(const float *qkv, int rows, int hidden, int heads, float *context,
                                  float *scores) {
    int d = hidden / heads, stride = 3 * hidden;
    float scale = 1.0f / sqrtf((float)d);
    for (int h = 0; h < heads; h++) {
        for (int i = 0; i < rows; i++) {
            const float *q = qkv + (size_t)i * stride + h * d;
            float top = -INFINITY;
            for (int j = 0; j < rows; j++) {
                const float *kj = qkv + (size_t)j * stride + hidden + h * d;
                float s = 0;
                for (int c = 0; c < d; c++) s += q[c] * kj[c];
                s *= scale;
                scores[j] = s;
                if (s > top) top = s;
            }
            float total = 0;
            for (int j = 0; j < rows; j++) {
                scores[j] = expf(scores[j] - top);
                total += scores[j];
            }
            float inverse = 1.0f / total;
            float *out = context + (size_t)i * hidden + h * d;
            for (int c = 0; c < d; c++) out[c] = 0;
            for (int j = 0; j < rows; j++) {
                const float *vj = qkv + (size_t)j * stride + 2 * hidden + h * d;
                float p = scores[j] * inverse;
                for (int c = 0; c < d; c++) out[c] += p * vj[c];
            }
        }
    }
}

#if EK_X86
// e^x for x <= 0 (softmax arguments): x = n ln2 + r, |r| <= ln2/2, e^r by its degree-6
// Taylor polynomial (relative error < 2e-7), scaled by 2^n.
EK_AVX512 static inline __m512 ek_exp16(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

// One query's context: the value rows weighted by `weights` (summed as even and odd rows),
// times `inverse`, into `out` (`chunks` x 16 values).
EK_AVX512 static inline __attribute__((always_inline)) void
ek_context(int chunks, const float *values, int stride, const float *weights, int rows, float inverse, float *out) {
    __m512 even[8], odd[8];
    for (int c = 0; c < chunks; c++) { even[c] = _mm512_setzero_ps(); odd[c] = _mm512_setzero_ps(); }
    int j = 0;
    for (; j + 1 < rows; j += 2) {
        const float *v0 = values + (size_t)j * stride, *v1 = v0 + stride;
        __m512 p0 = _mm512_set1_ps(weights[j]), p1 = _mm512_set1_ps(weights[j + 1]);
        for (int c = 0; c < chunks; c++) {
            even[c] = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 16 * c), even[c]);
            odd[c] = _mm512_fmadd_ps(p1, _mm512_loadu_ps(v1 + 16 * c), odd[c]);
        }
    }
    if (j < rows) {
        const float *v0 = values + (size_t)j * stride;
        __m512 p0 = _mm512_set1_ps(weights[j]);
        for (int c = 0; c < chunks; c++) even[c] = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0 + 16 * c), even[c]);
    }
    for (int c = 0; c < chunks; c++) {
        _mm512_storeu_ps(out + 16 * c, _mm512_mul_ps(_mm512_add_ps(even[c], odd[c]), _mm512_set1_ps(inverse)));
    }
}

// The same with 16-wide vectors (d a multiple of 16, at most 128): each head's keys are
// transposed into `scores`-sized scratch so 16 scores come from d broadcast-FMAs.
EK_AVX512 static void ek_attention_avx512(const float *qkv, int rows, int hidden, int heads, float *context,
                                          float *scratch) {
    int d = hidden / heads, stride = 3 * hidden, chunks = d / 16;
    int padded = (rows + 15) & ~15;
    float scale = 1.0f / sqrtf((float)d);
    float *keys = scratch;                          // d x padded, keys[c][j]
    float *scores = scratch + (size_t)d * padded;   // padded
    for (int h = 0; h < heads; h++) {
        for (int c = 0; c < d; c++) {
            for (int j = 0; j < padded; j++) {
                keys[(size_t)c * padded + j] = j < rows ? qkv[(size_t)j * stride + hidden + h * d + c] : 0.0f;
            }
        }
        for (int i = 0; i < rows; i++) {
            const float *q = qkv + (size_t)i * stride + h * d;
            __m512 top = _mm512_set1_ps(-INFINITY);
            for (int j = 0; j < padded; j += 16) {
                // Four independent sums (d is a multiple of 16) keep the FMA pipes busy.
                __m512 a[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
                for (int c = 0; c < d; c += 4) {
                    for (int u = 0; u < 4; u++) {
                        a[u] = _mm512_fmadd_ps(_mm512_set1_ps(q[c + u]), _mm512_loadu_ps(keys + (size_t)(c + u) * padded + j), a[u]);
                    }
                }
                __m512 sum = _mm512_add_ps(_mm512_add_ps(a[0], a[1]), _mm512_add_ps(a[2], a[3]));
                __m512 s = _mm512_mul_ps(sum, _mm512_set1_ps(scale));
                __mmask16 valid = rows - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (rows - j)) - 1);
                s = _mm512_mask_blend_ps(valid, _mm512_set1_ps(-INFINITY), s);
                _mm512_storeu_ps(scores + j, s);
                top = _mm512_max_ps(top, s);
            }
            __m512 most = _mm512_set1_ps(_mm512_reduce_max_ps(top));
            __m512 total = _mm512_setzero_ps();
            for (int j = 0; j < padded; j += 16) {
                __m512 e = ek_exp16(_mm512_sub_ps(_mm512_loadu_ps(scores + j), most));
                __mmask16 valid = rows - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (rows - j)) - 1);
                e = _mm512_maskz_mov_ps(valid, e);
                _mm512_storeu_ps(scores + j, e);
                total = _mm512_add_ps(total, e);
            }
            float inverse = 1.0f / _mm512_reduce_add_ps(total);
            const float *values = qkv + 2 * hidden + h * d;
            float *o = context + (size_t)i * hidden + h * d;
            switch (chunks) {  // constant chunk counts keep the sums in registers
            case 1: ek_context(1, values, stride, scores, rows, inverse, o); break;
            case 2: ek_context(2, values, stride, scores, rows, inverse, o); break;
            case 4: ek_context(4, values, stride, scores, rows, inverse, o); break;
            default: ek_context(chunks, values, stride, scores, rows, inverse, o); break;
            }
        }
    }
}

// x = LayerNorm(x + residual) row by row, with 16-wide partial sums (h a multiple of 16).
EK_AVX512 static void ek_add_layer_norm_avx512(float *x, const float *residual, int rows, int h,
                                               const float *gamma, const float *beta, float epsilon) {
    for (int t = 0; t < rows; t++) {
        float *row = x + (size_t)t * h;
        __m512 sum = _mm512_setzero_ps();
        for (int c = 0; c < h; c += 16) {
            __m512 v = _mm512_loadu_ps(row + c);
            if (residual) {
                v = _mm512_add_ps(v, _mm512_loadu_ps(residual + (size_t)t * h + c));
                _mm512_storeu_ps(row + c, v);
            }
            sum = _mm512_add_ps(sum, v);
        }
        __m512 mean = _mm512_set1_ps(_mm512_reduce_add_ps(sum) / (float)h);
        __m512 squares = _mm512_setzero_ps();
        for (int c = 0; c < h; c += 16) {
            __m512 v = _mm512_sub_ps(_mm512_loadu_ps(row + c), mean);
            squares = _mm512_fmadd_ps(v, v, squares);
        }
        __m512 scale = _mm512_set1_ps(1.0f / sqrtf(_mm512_reduce_add_ps(squares) / (float)h + epsilon));
        for (int c = 0; c < h; c += 16) {
            __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(row + c), mean), scale);
            _mm512_storeu_ps(row + c, _mm512_fmadd_ps(v, _mm512_loadu_ps(gamma + c), _mm512_loadu_ps(beta + c)));
        }
    }
}
#endif

static void ek_add_layer_norm_portable(float *x, const float *residual, int rows, int h, const float *gamma,
                                       const float *beta, float epsilon) {
    for (int t = 0; t < rows; t++) {
        float *row = x + (size_t)t * h;
        float sum = 0;
        for (int c = 0; c < h; c++) {
            if (residual) row[c] += residual[(size_t)t * h + c];
            sum += row[c];
        }
        float mean = sum / (float)h, squares = 0;
        for (int c = 0; c < h; c++) squares += (row[c] - mean) * (row[c] - mean);
        float scale = 1.0f / sqrtf(squares / (float)h + epsilon);
        for (int c = 0; c < h; c++) row[c] = (row[c] - mean) * scale * gamma[c] + beta[c];
    }
}

void ek_add_layer_norm(float *x, const float *residual, int rows, int h, const float *gamma, const float *beta,
                       float epsilon, int fast) {
#if EK_X86
    if (fast && ek_uses_avx512bf16() && h % 16 == 0) {
        ek_add_layer_norm_avx512(x, residual, rows, h, gamma, beta, epsilon);
        return;
    }
#endif
    ek_add_layer_norm_portable(x, residual, rows, h, gamma, beta, epsilon);
}

size_t ek_attention_scratch(int rows, int hidden, int heads) {
    size_t padded = (size_t)((rows + 15) & ~15);
    return padded * (size_t)(hidden / heads + 1);
}

void ek_attention(const float *qkv, int rows, int hidden, int heads, float *context, float *scores, int fast) {
#if EK_X86
    int d = hidden / heads;
    if (fast && ek_uses_avx512bf16() && d % 16 == 0 && d <= 128) {
        ek_attention_avx512(qkv, rows, hidden, heads, context, scores);
        return;
    }
#endif
    ek_attention_portable(qkv, rows, hidden, heads, context, scores);
}

void ek_linear(const float *x, int rows, int k, const uint32_t *packed, const float *bias, int n,
               int gelu, float *y, uint32_t *scratch, int fast) {
#if EK_X86
    if (fast && ek_uses_avx512bf16()) {
        ek_round_rows_avx512(x, rows, k, scratch);
        ek_linear_avx512(scratch, rows, k, packed, bias, n, gelu, y);
        return;
    }
#endif
    ek_round_rows(x, rows, k, scratch);
    ek_linear_portable(scratch, rows, k, packed, bias, n, gelu, y);
}
