"""jax.numpy / lax programs under jit: the plugin's results against JAX's CPU backend."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from jax import lax

from harness import check, rand

F32, BF16, F16, I32, BOOL = np.float32, jnp.bfloat16, np.float16, np.int32, np.bool_
FLOATS = [F32, BF16, F16]
NUMERIC = [F32, BF16, F16, I32]


def dtype_id(d):
    return np.dtype(d).name


# ------------------------------------------------------------------- elementwise


@pytest.mark.parametrize("dtype", NUMERIC, ids=dtype_id)
@pytest.mark.parametrize("op", ["add", "subtract", "multiply", "maximum", "minimum"])
def test_binary_arithmetic(op, dtype):
    x, y = rand((4, 33), dtype, seed=1), rand((4, 33), dtype, seed=2)
    check(getattr(jnp, op), x, y, label=op)


@pytest.mark.parametrize("dtype", FLOATS, ids=dtype_id)
def test_divide_and_power(dtype):
    x = rand((5, 7), dtype, seed=3, low=0.5, high=3.0)
    y = rand((5, 7), dtype, seed=4, low=0.5, high=3.0)
    check(lambda a, b: (a / b, a ** 2, jnp.abs(a - b), -a, jnp.sign(a - b)), x, y,
          transcendental=True)


@pytest.mark.parametrize("dtype", FLOATS, ids=dtype_id)
@pytest.mark.parametrize("op", ["exp", "log", "tanh", "sin", "cos", "sqrt", "rsqrt",
                                "logistic", "log1p", "expm1", "erf", "floor", "round"])
def test_unary_float(op, dtype):
    positive = op in ("log", "sqrt", "rsqrt")
    x = rand((3, 65), dtype, seed=5, low=0.1 if positive else -3.0, high=3.0)
    fn = {
        "rsqrt": lax.rsqrt, "logistic": jax.nn.sigmoid, "erf": jax.scipy.special.erf,
    }.get(op, getattr(jnp, op, None))
    check(fn, x, transcendental=True, label=op)


def test_integer_ops():
    x = rand((6, 10), I32, seed=6, low=-50, high=50)
    y = rand((6, 10), I32, seed=7, low=1, high=9)

    def f(a, b):
        return (a // b, a % b, a & b, a | b, a ^ b, ~a, a << (b % 5), a >> (b % 5),
                jnp.abs(a), a * b - a, lax.shift_right_logical(a, b % 5), a.clip(-10, 10))

    check(f, x, y)


def test_bool_ops():
    a, b = rand((9, 4), BOOL, seed=8), rand((9, 4), BOOL, seed=9)
    x, y = rand((9, 4), F32, seed=10), rand((9, 4), F32, seed=11)

    def f(a, b, x, y):
        return (a & b, a | b, a ^ b, ~a, x < y, x >= y, x == x, x != y, jnp.logical_and(a, x > 0),
                jnp.any(a), jnp.all(a | ~a), jnp.sum(a), a.astype(jnp.int32))

    check(f, a, b, x, y)


@pytest.mark.parametrize("src", [F32, BF16, F16, I32, BOOL], ids=dtype_id)
@pytest.mark.parametrize("dst", [F32, BF16, F16, I32, BOOL], ids=dtype_id)
def test_convert(src, dst):
    x = rand((3, 17), src, seed=12, low=-40, high=40)
    check(lambda a: a.astype(dst), x, label=f"{dtype_id(src)}->{dtype_id(dst)}")


# ------------------------------------------------------------------- broadcasting


@pytest.mark.parametrize("shapes", [((3, 1), (1, 4)), ((5,), (2, 3, 5)), ((2, 1, 4), (3, 1)),
                                    ((), (4, 4)), ((7, 1, 1), (7, 6, 5))],
                         ids=lambda s: f"{s[0]}x{s[1]}")
def test_broadcasting(shapes):
    x, y = rand(shapes[0], F32, seed=13), rand(shapes[1], F32, seed=14)
    check(lambda a, b: (a + b, a * b - 1.0, jnp.broadcast_to(a, jnp.broadcast_shapes(
        a.shape, b.shape))), x, y)


def test_outer_and_python_scalar_broadcast():
    x, y = rand((8,), F32, seed=15), rand((6,), F32, seed=16)
    check(lambda a, b: (a[:, None] * b[None, :], 2.5 * a + 1, jnp.outer(a, b) - 3), x, y)


# ------------------------------------------------------------------- reductions


@pytest.mark.parametrize("dtype", NUMERIC, ids=dtype_id)
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), -1])
def test_reductions(axis, dtype):
    x = rand((4, 5, 6), dtype, seed=17, low=0.5, high=1.5)
    tol = dict(rtol=5e-2, atol=5e-2) if dtype in (BF16, F16) else {}

    def f(a):
        return (jnp.sum(a, axis=axis), jnp.max(a, axis=axis), jnp.min(a, axis=axis),
                jnp.prod(a, axis=axis))

    check(f, x, **tol)


@pytest.mark.parametrize("dtype", FLOATS, ids=dtype_id)
def test_mean_var_softmax(dtype):
    x = rand((6, 40), dtype, seed=18)
    check(lambda a: (jnp.mean(a, axis=1), jnp.var(a, axis=0), jnp.std(a),
                     jax.nn.softmax(a, axis=-1), jax.scipy.special.logsumexp(a, axis=1)),
          x, transcendental=True)


# ------------------------------------------------------------------- matmul / einsum


@pytest.mark.parametrize("dtype", FLOATS, ids=dtype_id)
@pytest.mark.parametrize("shapes", [((4, 8), (8, 3)), ((8,), (8, 5)), ((5, 8), (8,)),
                                    ((2, 3, 16), (2, 16, 4)), ((64, 128), (128, 32)),
                                    ((1, 1), (1, 1))], ids=lambda s: f"{s[0]}@{s[1]}")
def test_matmul(shapes, dtype):
    x, y = rand(shapes[0], dtype, seed=19, low=-1, high=1), rand(shapes[1], dtype, seed=20,
                                                                low=-1, high=1)
    tol = {} if dtype != F32 else dict(rtol=1e-4, atol=1e-5)
    if dtype != F32:
        # The reference backend rounds every product and partial sum to the result type (as
        # the StableHLO interpreter does); XLA:CPU accumulates in f32. Both are within the
        # bound of K roundings of terms of magnitude <= 1: K * eps(dtype).
        k = shapes[0][-1]
        tol = dict(rtol=0, atol=k * float(ml_dtypes.finfo(dtype).eps))
    check(jnp.matmul, x, y, **tol)


@pytest.mark.parametrize("name,fn", [
    ("bias_row", lambda a, b, v, u: a @ b + v),
    ("bias_col", lambda a, b, v, u: a @ b + u[:, None]),
    ("bias_scalar", lambda a, b, v, u: a @ b + 0.5),
    ("scale_row", lambda a, b, v, u: (a @ b) * v),
    ("relu_bias", lambda a, b, v, u: jax.nn.relu(a @ b + v)),
    ("gelu_bias", lambda a, b, v, u: jax.nn.gelu(a @ b + v)),
    ("matvec_bias", lambda a, b, v, u: a @ v + u),
    ("matvec_times_vec", lambda a, b, v, u: (a @ v) * u),
    ("vecmat_bias", lambda a, b, v, u: u @ b + v),
    ("transposed_operands", lambda a, b, v, u: a.T @ b.T.T + v),
    ("abt_transposed_times_row", lambda a, b, v, u: (a @ a.T).T * u[None, :]),
    ("residual", lambda a, b, v, u: a @ b + a[:, :b.shape[1]]),
    ("two_matmuls_shared_input", lambda a, b, v, u: (a @ b, a @ b + v)),
    ("matmul_plus_matmul", lambda a, b, v, u: a @ b + b @ a),
    ("vecmat_plus_vecmat", lambda a, b, v, u: u @ a + v @ b),  # CUDA fused the second as a wrong bias (a9dc594)
    ("matvec_plus_matvec", lambda a, b, v, u: a @ u + b @ v),
], ids=lambda v: v if isinstance(v, str) else "")
def test_matmul_epilogues(name, fn):
    """Matmuls followed by the elementwise ops a compiler fuses into them (bias of each
    broadcast shape, scale, activation, residual)."""
    a = rand((8, 8), F32, seed=24, low=-1, high=1)
    b = rand((8, 8), F32, seed=25, low=-1, high=1)
    v = rand((8,), F32, seed=26)
    u = rand((8,), F32, seed=27)
    check(fn, a, b, v, u, rtol=1e-4, atol=1e-5, transcendental=True, label=name)


def test_matmul_int32():
    x, y = rand((6, 9), I32, seed=21), rand((9, 4), I32, seed=22)
    check(jnp.matmul, x, y)


@pytest.mark.parametrize("spec,shapes", [
    ("ij,jk->ik", [(5, 6), (6, 7)]),
    ("bij,bjk->bik", [(3, 4, 5), (3, 5, 2)]),
    ("ij->ji", [(3, 8)]),
    ("ii->", [(6, 6)]),
    ("i,i->", [(10,), (10,)]),
    ("i,j->ij", [(4,), (5,)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 8), (2, 3, 5, 8)]),
    ("abc->ca", [(2, 3, 4)]),
], ids=lambda v: v if isinstance(v, str) else None)
def test_einsum(spec, shapes):
    args = [rand(s, F32, seed=23 + i) for i, s in enumerate(shapes)]
    check(lambda *a: jnp.einsum(spec, *a), *args, rtol=1e-4, atol=1e-5, label=spec)


def test_convolution():
    x = rand((2, 3, 10, 10), F32, seed=30)  # NCHW
    w = rand((4, 3, 3, 3), F32, seed=31)  # OIHW

    def f(x, w):
        same = lax.conv_general_dilated(x, w, (1, 1), "SAME")
        strided = lax.conv_general_dilated(x, w, (2, 2), "VALID", rhs_dilation=(2, 1))
        return same, strided

    check(f, x, w, rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------- indexing / shapes


def test_static_indexing_and_slicing():
    x = rand((6, 8, 5), F32, seed=32)
    check(lambda a: (a[1:4, ::2], a[..., -1], a[2], a[:, 3, 1:], a[::-1, :, ::3],
                     a[None, 0, :, None]), x)


def test_gather_and_dynamic_slice():
    x = rand((10, 7), F32, seed=33)
    idx = np.array([3, 0, 9, 3, 5], np.int32)

    def f(a, i):
        return (a[i], a[:, i % 7], jnp.take(a, i, axis=0), lax.dynamic_slice(a, (i[0], 2), (4, 3)),
                lax.dynamic_update_slice(a, jnp.zeros((2, 2), a.dtype), (i[2], i[1])),
                jnp.take_along_axis(a, (i[:, None] + jnp.arange(7)[None]) % 10, axis=0))

    check(f, x, idx)


def test_scatter():
    x = rand((8, 4), F32, seed=34)
    idx = np.array([1, 6, 1, 2], np.int32)
    upd = rand((4, 4), F32, seed=35)
    check(lambda a, i, u: (a.at[i].set(u), a.at[i].add(u), a.at[i, 0].max(u[:, 0]),
                           a.at[2:5].multiply(2.0)), x, idx, upd)


def test_concatenate_stack_split():
    a, b, c = rand((2, 3), F32, seed=36), rand((4, 3), F32, seed=37), rand((2, 3), F32, seed=38)

    def f(a, b, c):
        cat = jnp.concatenate([a, b, c], axis=0)
        return (cat, jnp.stack([a, c], axis=1), jnp.split(cat, [2, 6]), jnp.hstack([a, c]),
                jnp.concatenate([a.astype(jnp.int32), c.astype(jnp.int32)], axis=1))

    check(f, a, b, c)


def test_reshape_transpose_pad_flip_iota():
    x = rand((4, 6), F32, seed=39)
    check(lambda a: (a.reshape(3, 8), a.T, jnp.transpose(a.reshape(2, 2, 6), (2, 0, 1)),
                     jnp.pad(a, ((1, 2), (0, 3))), jnp.flip(a, 1), jnp.arange(12) * 2,
                     jnp.eye(3, 5), jnp.tile(a[:1], (2, 2)), jnp.repeat(a[0], 2),
                     jnp.roll(a, 2, axis=1), jnp.tril(a[:, :4])), x)


@pytest.mark.parametrize("dtype", [F32, I32, BF16], ids=dtype_id)
def test_where_select_clip(dtype):
    c = rand((5, 6), BOOL, seed=40)
    x, y = rand((5, 6), dtype, seed=41), rand((5, 6), dtype, seed=42)
    check(lambda c, x, y: (jnp.where(c, x, y), lax.select(c, y, x), jnp.clip(x, -1, 1),
                           jnp.where(x > y, x, 0)), c, x, y)


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("dtype", [F32, I32], ids=dtype_id)
def test_cumulative(axis, dtype):
    x = rand((7, 9), dtype, seed=43, low=0.5, high=1.5)
    check(lambda a: (jnp.cumsum(a, axis=axis), jnp.cumprod(a, axis=axis),
                     lax.cummax(a, axis=axis)), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [F32, I32, BF16], ids=dtype_id)
def test_sort(dtype):
    x = rand((5, 17), dtype, seed=44)
    check(lambda a: (jnp.sort(a, axis=-1), jnp.sort(a, axis=0), jnp.argsort(a[0], stable=True),
                     lax.sort((a[0], a[1]), num_keys=1)), x)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_argmax_argmin(axis):
    x = rand((6, 11), F32, seed=45)
    check(lambda a: (jnp.argmax(a, axis=axis), jnp.argmin(a, axis=axis)), x)


def test_numpy_program():
    """A small numpy-style program mixing the above."""
    x = rand((32, 16), F32, seed=46)

    def f(x):
        centered = x - x.mean(axis=0, keepdims=True)
        cov = centered.T @ centered / (x.shape[0] - 1)
        norms = jnp.linalg.norm(x, axis=1)
        top = jnp.sort(norms)[-3:]
        return cov, norms, top, jnp.argmax(norms), jnp.where(norms > norms.mean(), 1, -1)

    check(f, x, rtol=1e-4, atol=1e-5)
