"""The CNN's convolution layer on channels-last image batches, forward and backward, in numba.

Images are (n, height, width, channels) arrays; kernels are (kh, kw, channels, filters). One
layer is a convolution, a ReLU and a max-pool:

- z[n, i, j, f] = b[f] + Σ_{p, q, c} x_pad[n, i + p, j + q, c] · w[p, q, c, f]
  (cross-correlation, stride 1, zero padding), computed as one matrix product (GEMM) of the
  im2col matrix (one row per output pixel, one column per kernel entry) with the reshaped
  kernel; out side = side + 2·padding − k + 1.
- pooled[n, a, b, f] = max(0, max of z over the (ph, pw) window at (ph·a, pw·b)) = the
  max-pool of relu(z); the backward pass routes each gradient to its window's argmax, where
  z > 0.

A batch of the default network is small (32 images of 8 × 8), so the time went to the
Python and numpy calls around the arithmetic: a layer is one numba call each way, its
products single GEMMs (BLAS on one thread: the estimator runs under
`algorithms._threads.parallel_loops`), and the im2col copy one flat gather through
precomputed offsets, where loops over the kernel taps and channels would run a handful of
times each.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def patch_offsets(height, width, channels, kh, kw, padding):
    """Per image, the flat input index read by each entry of its im2col rows (stride 1), or
    −1 where the entry falls on the zero padding; shape (out_h·out_w·kh·kw·channels,)."""
    out_h, out_w = height + 2 * padding - kh + 1, width + 2 * padding - kw + 1
    k = kh * kw * channels
    offsets = np.full(out_h * out_w * k, -1, dtype=np.int64)
    for i in range(out_h):
        for j in range(out_w):
            for p in range(kh):
                for q in range(kw):
                    row, column = i + p - padding, j + q - padding
                    if 0 <= row < height and 0 <= column < width:
                        start = (i * out_w + j) * k + (p * kw + q) * channels
                        source = (row * width + column) * channels
                        for c in range(channels):
                            offsets[start + c] = source + c
    return offsets


@njit(cache=True)
def im2col(x, offsets, k):
    """The (n·out_h·out_w, k) im2col matrix of x (k = kh·kw·channels columns; row (n, i, j)
    the receptive field of z[n, i, j]) by one gather per image through patch_offsets."""
    n = x.shape[0]
    image, per_image = x[0].size, offsets.shape[0]
    source = x.ravel()
    cols = np.empty((n * per_image // k, k))
    target = cols.ravel()
    for s in range(n):
        for t in range(per_image):
            offset = offsets[t]
            target[s * per_image + t] = source[s * image + offset] if offset >= 0 else 0.0
    return cols


@njit(cache=True)
def col2im(dcols, offsets, x_shape):
    """The adjoint of im2col: each entry of dcols added back onto its input pixel."""
    dx = np.zeros(x_shape)
    image, per_image = dx[0].size, offsets.shape[0]
    source, target = dcols.ravel(), dx.ravel()
    for s in range(x_shape[0]):
        for t in range(per_image):
            offset = offsets[t]
            if offset >= 0:
                target[s * image + offset] += source[s * per_image + t]
    return dx


@njit(cache=True)
def _max_pool(z, ph, pw):
    """(pooled, argmax): max(0, window maximum) over the (ph, pw) windows of z (n, h, w, f)
    at stride (ph, pw), and the flat index in z of each window's first largest entry (a NaN
    counts as largest); the filters run innermost, over contiguous memory."""
    n, height, width, filters = z.shape
    pooled = np.empty((n, height // ph, width // pw, filters))
    argmax = np.empty(pooled.shape, dtype=np.int64)
    values, best, at = z.ravel(), pooled.ravel(), argmax.ravel()
    out = 0
    for s in range(n):
        for a in range(pooled.shape[1]):
            for b in range(pooled.shape[2]):
                corner = ((s * height + ph * a) * width + pw * b) * filters
                for f in range(filters):
                    best[out + f], at[out + f] = values[corner + f], corner + f
                for u in range(ph):
                    for v in range(pw):
                        start = corner + (u * width + v) * filters
                        for f in range(filters):
                            value, largest = values[start + f], best[out + f]
                            if largest == largest and (value > largest or value != value):
                                best[out + f], at[out + f] = value, start + f
                for f in range(filters):
                    if best[out + f] < 0.0:
                        best[out + f] = 0.0
                out += filters
    return pooled, argmax


@njit(cache=True)
def conv_relu_pool_forward(x, kernel, bias, padding, ph, pw):
    """(cols, z, pooled, argmax) of one CNN layer: z = conv2d(x, kernel, bias), stride 1 and
    zero padding, as cols @ kernel (one GEMM, cols = im2col(x)); pooled[n, a, b, f] = max(0,
    max of z over the (ph, pw) window at (ph·a, pw·b)); argmax the flat index in z of that
    window's first largest entry (a NaN counts as largest).
    """
    n, height, width, channels = x.shape
    kh, kw, kernel_channels, filters = kernel.shape
    if kernel_channels != channels:
        raise ValueError("the images' channels differ from the kernels' channels.")
    out_h, out_w = height + 2 * padding - kh + 1, width + 2 * padding - kw + 1
    k = kh * kw * channels
    cols = im2col(x, patch_offsets(height, width, channels, kh, kw, padding), k)
    z = np.dot(cols, kernel.reshape(k, filters))
    z += bias
    z = z.reshape(n, out_h, out_w, filters)
    pooled, argmax = _max_pool(z, ph, pw)
    return cols, z, pooled, argmax


@njit(cache=True)
def conv_relu_pool_backward(
    dpooled, x, cols, z, argmax, kernel, padding, ph, pw, need_dx, dkernel, dbias, decay
):
    """dx of conv_relu_pool_forward given dL/dpooled (empty unless need_dx), writing
    dkernel = colsᵀ·dz + decay·kernel (decay: the L2 penalty's weight) and dbias = Σ dz; dz is
    dpooled at each window's argmax where z > 0, else 0, and dx = col2im(dz·kernelᵀ), each
    product one GEMM.
    """
    n, out_h, out_w, filters = z.shape
    kh, kw, channels, _ = kernel.shape
    dz = np.zeros(z.shape)
    values, gradients, maxima = z.ravel(), dz.ravel(), argmax.ravel()
    for t, g in enumerate(dpooled.ravel()):
        if values[maxima[t]] > 0.0:
            gradients[maxima[t]] = g
    dz_rows = dz.reshape(n * out_h * out_w, filters)
    kernel_rows = kernel.reshape(kh * kw * channels, filters)
    product = np.dot(cols.T, dz_rows)
    dkernel_rows = dkernel.reshape(kh * kw * channels, filters)
    for r in range(product.shape[0]):
        for f in range(filters):
            dkernel_rows[r, f] = product[r, f] + decay * kernel_rows[r, f]
    for f in range(filters):
        dbias[f] = 0.0
    for r in range(dz_rows.shape[0]):
        for f in range(filters):
            dbias[f] += dz_rows[r, f]
    if not need_dx:
        return np.zeros((0, 0, 0, 0))
    offsets = patch_offsets(x.shape[1], x.shape[2], channels, kh, kw, padding)
    return col2im(np.dot(dz_rows, kernel_rows.T), offsets, x.shape)
