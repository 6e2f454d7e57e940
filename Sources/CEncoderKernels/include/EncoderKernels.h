#ifndef RINGBOT_ENCODER_KERNELS_H
#define RINGBOT_ENCODER_KERNELS_H

// The sentence encoder's hot loops: the bf16 matrix product of a few token rows by a
// weight matrix (with bias and optional GELU), the weight packing it reads, self-attention
// and LayerNorm. Swift cannot emit AVX-512 BF16 instructions, so these live in C. Each computing function
// takes `fast`: 1 runs the AVX-512 BF16 path when the CPU has it (else the portable loops),
// 0 always runs the portable loops. The two paths agree to float rounding, not bit for bit.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the AVX-512 BF16 path runs on this CPU, else 0 (the portable path).
int ek_uses_avx512bf16(void);

/// The number of uint32 words `ek_pack_weights` writes for an `n` x `k` matrix.
size_t ek_packed_words(int n, int k);

/// Rounds the row-major fp32 matrix `w` (`n` outputs x `k` inputs; n a multiple of 16, k even)
/// to bf16 (nearest, ties to even; the same bits on both paths) and stores it as 16-output
/// column blocks of bf16 pairs: word ((b * k/2 + p) * 16 + j) holds w[16b+j][2p] (low half) and w[16b+j][2p+1].
void ek_pack_weights(const float *w, int n, int k, uint32_t *packed);

/// y[t][j] = bias[j] + sum_i bf16(x[t][i]) * W[j][i] for t < rows, j < n, then GELU
/// (erf form) when `gelu` is 1. `x` is rows x k, `y` is rows x n (both row-major fp32);
/// `scratch` holds rows * k/2 words (the activations rounded to bf16 pairs).
void ek_linear(const float *x, int rows, int k, const uint32_t *packed, const float *bias, int n,
               int gelu, float *y, uint32_t *scratch, int fast);

/// Multi-head self-attention of one sequence (every token attends to every token).
/// `qkv` is rows x 3*hidden: each row the query, key and value vectors side by side; head h
/// uses columns h*d ..< (h+1)*d of each (d = hidden / heads, a multiple of 16). Writes the
/// rows x hidden context to `context`; `scratch` holds `ek_attention_scratch(rows, hidden, heads)` floats.
void ek_attention(const float *qkv, int rows, int hidden, int heads, float *context, float *scratch, int fast);

/// The number of floats `ek_attention` needs as scratch.
size_t ek_attention_scratch(int rows, int hidden, int heads);

/// x = LayerNorm(x + residual) for each of `rows` rows of `h` values (`residual` may be NULL:
/// LayerNorm alone), with scale `gamma`, shift `beta` and the variance's `epsilon`.
void ek_add_layer_norm(float *x, const float *residual, int rows, int h, const float *gamma, const float *beta,
                       float epsilon, int fast);

/// GELU (erf form) of one value, as `ek_linear` computes it on the portable path.
float ek_gelu(float x);

#ifdef __cplusplus
}
#endif

#endif
