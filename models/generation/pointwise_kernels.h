// The incremental engine's pointwise work on plain floats: LSTM cells, gated units and the
// exponentials a value is drawn with. Built like network/mixture_kernel.cpp (-ffast-math
// -fopenmp-simd), so that the loops become vector code calling glibc's vector expf; scalar
// std::exp and std::tanh per unit took about as long as the recurrent models' products.
#pragma once

namespace pixelrnn {

// n units: gates holds [o, f, i, g] blocks of n pre-activations; prev_cell may be null
// (zeros). cell = sigmoid(f) * prev + sigmoid(i) * tanh(g); state = sigmoid(o) * tanh(cell).
void lstm_cells (const float *gates, int n, const float *prev_cell, float *cell, float *state);

// out[t] = a[t] * sigmoid(b[t]) for t < n: the gated PixelCNN's activation.
void gated_units (const float *a, const float *b, int n, float *out);

// out[t] = exp((x[t] - shift) * scale) for t < n, x[t] <= shift (softmax numerators);
// returns their sum.
float shifted_exps (const float *x, int n, float shift, float scale, float *out);

// The index of x's first largest element (std::max_element's), for finite x.
int first_max (const float *x, int n);

}  // namespace pixelrnn
