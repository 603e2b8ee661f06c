"""The CNN's layer operations on channels-last image batches, forward and backward.

Images are (n, height, width, channels) arrays; kernels are (kh, kw, channels, filters).

- conv2d: out[n, i, j, f] = b[f] + Σ_{p, q, c} x_pad[n, s·i + p, s·j + q, c] · w[p, q, c, f]
  (cross-correlation, stride s, zero padding), computed as one matrix product of the im2col
  matrix (one row per output pixel, one column per kernel entry) with the reshaped kernel;
  out side = (side + 2·padding − k) // s + 1.
- maxpool2d: out[n, i, j, c] = max over the (ph, pw) window at (s_h·i, s_w·j); the backward
  pass routes each gradient to the window's argmax.
- relu(z) = max(z, 0); softmax(z)_k = exp(z_k) / Σ_j exp(z_j) per row.

The im2col products are taken in row blocks of at most 2¹⁸ multiply-adds, the size below
which OpenBLAS runs a product on one thread: on a busy machine its thread hand-offs made a
training epoch of the default network about 6 times slower.
"""

import numpy as np
from numba import njit
from numpy.lib.stride_tricks import sliding_window_view


def _pair(value) -> tuple[int, int]:
    """(value, value) for an int, else the two entries of value as ints."""
    if np.ndim(value) == 0:
        return int(value), int(value)
    first, second = value
    return int(first), int(second)


_BLOCK_MULTIPLY_ADDS = 1 << 18


def _block_rows(a, b) -> int:
    """Rows of `a` per block so that a block's product with `b` stays single-threaded."""
    return max(1, _BLOCK_MULTIPLY_ADDS // (a.shape[1] * b.shape[1]))


def blocked_matmul(a, b):
    """a @ b computed one block of rows of a at a time (module docstring)."""
    out = np.empty((a.shape[0], b.shape[1]))
    step = _block_rows(a, b)
    for start in range(0, a.shape[0], step):
        np.matmul(a[start : start + step], b, out=out[start : start + step])
    return out


def blocked_gram(a, b):
    """aᵀ @ b as a sum over blocks of rows of a and b (module docstring)."""
    out = np.zeros((a.shape[1], b.shape[1]))
    step = _block_rows(a, b)
    for start in range(0, a.shape[0], step):
        out += a[start : start + step].T @ b[start : start + step]
    return out


def _pad(x, padding):
    """x with `padding` zero rows and columns added on each side of both spatial axes."""
    if padding == 0:
        return x
    return np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))


def conv_output_side(side: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output length of one spatial axis: (side + 2·padding − kernel) // stride + 1."""
    return (side + 2 * padding - kernel) // stride + 1


def im2col(x, kh, kw, stride=1, padding=0):
    """(n·oh·ow, kh·kw·c) matrix whose row (n, i, j) is the receptive field of out[n, i, j]."""
    x = _pad(x, padding)
    windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]
    n, oh, ow, c = windows.shape[:4]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, kh * kw * c)


def conv2d_forward(x, weights, bias, stride=1, padding=0):
    """(out, cols): out (n, oh, ow, filters) = im2col(x) @ weights + bias; cols for backward."""
    kh, kw, c, filters = weights.shape
    if x.shape[3] != c:
        raise ValueError(f"input has {x.shape[3]} channels, the kernels expect {c}.")
    cols = im2col(x, kh, kw, stride, padding)
    oh = conv_output_side(x.shape[1], kh, stride, padding)
    ow = conv_output_side(x.shape[2], kw, stride, padding)
    out = blocked_matmul(cols, weights.reshape(kh * kw * c, filters)) + bias
    return out.reshape(x.shape[0], oh, ow, filters), cols


def conv2d_backward(dout, cols, x_shape, weights, stride=1, padding=0, need_dx=True):
    """(dx, dweights, dbias) of conv2d_forward given dL/dout; dx is None unless need_dx.

    dweights = colsᵀ · dout, dbias = Σ dout, and dx scatters dout · weightsᵀ back onto the
    padded input, one kernel offset (p, q) at a time (kh·kw strided slice additions).
    """
    kh, kw, c, filters = weights.shape
    n, oh, ow, _ = dout.shape
    dout_rows = dout.reshape(-1, filters)
    dweights = blocked_gram(cols, dout_rows).reshape(weights.shape)
    dbias = dout_rows.sum(axis=0)
    if not need_dx:
        return None, dweights, dbias
    dcols = blocked_matmul(dout_rows, weights.reshape(kh * kw * c, filters).T)
    dcols = dcols.reshape(n, oh, ow, kh, kw, c)
    height, width = x_shape[1] + 2 * padding, x_shape[2] + 2 * padding
    dx = np.zeros((n, height, width, c))
    for p in range(kh):
        for q in range(kw):
            rows = slice(p, p + stride * (oh - 1) + 1, stride)
            columns = slice(q, q + stride * (ow - 1) + 1, stride)
            dx[:, rows, columns, :] += dcols[:, :, :, p, q, :]
    return dx[:, padding : height - padding, padding : width - padding, :], dweights, dbias


def maxpool2d_forward(x, size=2, stride=None):
    """(out, argmax): window maxima (stride defaults to size) and each window's flat argmax."""
    ph, pw = _pair(size)
    sh, sw = _pair(size if stride is None else stride)
    windows = sliding_window_view(x, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
    flat = windows.reshape(*windows.shape[:4], ph * pw)
    argmax = flat.argmax(axis=4)
    out = np.take_along_axis(flat, argmax[..., np.newaxis], axis=4)[..., 0]
    return out, argmax


def maxpool2d_backward(dout, argmax, x_shape, size=2, stride=None):
    """dL/dx of maxpool2d_forward: each dout entry added at its window's argmax, zero elsewhere."""
    ph, pw = _pair(size)
    sh, sw = _pair(size if stride is None else stride)
    _, oh, ow, _ = dout.shape
    dx = np.zeros(x_shape)
    for p in range(ph):
        for q in range(pw):
            rows = slice(p, p + sh * (oh - 1) + 1, sh)
            columns = slice(q, q + sw * (ow - 1) + 1, sw)
            dx[:, rows, columns, :] += np.where(argmax == p * pw + q, dout, 0.0)
    return dx


def relu(z):
    """max(z, 0) elementwise."""
    return np.maximum(z, 0.0)


def softmax(z):
    """Row-wise softmax of a 2-D array, shifted by the row maximum for stability."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


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
def im2col_stride1(x, offsets, k):
    """im2col(x, kh, kw, 1, padding) as one gather per image through patch_offsets (k =
    kh·kw·channels columns); one long flat loop, where loops over the kernel taps and
    channels would each run a handful of times."""
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
def col2im_stride1(dcols, offsets, x_shape):
    """The adjoint of im2col_stride1: each entry of dcols added back onto its input pixel."""
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
    kh, kw, _, filters = kernel.shape
    out_h, out_w = height + 2 * padding - kh + 1, width + 2 * padding - kw + 1
    k = kh * kw * channels
    cols = im2col_stride1(x, patch_offsets(height, width, channels, kh, kw, padding), k)
    z = np.dot(cols, kernel.reshape(k, filters))
    z += bias
    z = z.reshape(n, out_h, out_w, filters)
    pooled, argmax = _max_pool(z, ph, pw)
    return cols, z, pooled, argmax


@njit(cache=True)
def conv_relu_pool_backward(dpooled, x, cols, z, argmax, kernel, padding, ph, pw, need_dx):
    """(dx, dkernel, dbias) of conv_relu_pool_forward given dL/dpooled; dx is empty unless
    need_dx. dz is dpooled at each window's argmax where z > 0, else 0; dkernel = colsᵀ·dz,
    dbias = Σ dz and dx = col2im(dz·kernelᵀ), each product one GEMM.
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
    dkernel = np.dot(cols.T, dz_rows).reshape(kernel.shape)
    dbias = dz_rows.sum(axis=0)
    if not need_dx:
        return np.zeros((0, 0, 0, 0)), dkernel, dbias
    offsets = patch_offsets(x.shape[1], x.shape[2], channels, kh, kw, padding)
    dx = col2im_stride1(np.dot(dz_rows, kernel_rows.T), offsets, x.shape)
    return dx, dkernel, dbias
