"""Buffers and executables: transfers, host array layouts, pytrees, donation, dtypes,
zero-sized / large / scalar arrays, AOT compilation, the persistent compilation cache and
x64 (the last two in a fresh interpreter, since both are process-wide settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import harness
from harness import assert_trees_close, check, cpu_device, nv_device, rand

F32, BF16, F16, I32, BOOL = np.float32, jnp.bfloat16, np.float16, np.int32, np.bool_
ALL_DTYPES = [F32, BF16, F16, I32, BOOL, np.int8, np.uint8, np.uint32, np.int16]


def dtype_id(d):
    return np.dtype(d).name


# ------------------------------------------------------------------- transfers


@pytest.mark.parametrize("shape", [(), (1,), (5,), (3, 4), (2, 3, 4, 5)], ids=str)
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=dtype_id)
def test_device_put_get_roundtrip(dtype, shape, nv):
    host = rand(shape, dtype, seed=70)
    on_device = jax.device_put(host, nv)
    assert on_device.devices() == {nv}
    assert on_device.shape == shape and on_device.dtype == host.dtype
    back = jax.device_get(on_device)
    assert isinstance(back, np.ndarray)
    np.testing.assert_array_equal(back, host)
    np.testing.assert_array_equal(np.asarray(on_device), host)


def test_transfer_between_devices(nv, cpu):
    x = rand((16, 3), F32, seed=71)
    a = jax.device_put(x, nv)
    b = jax.device_put(a, cpu)  # plugin -> CPU backend
    c = jax.device_put(b * 2, nv)  # and back
    assert b.devices() == {cpu} and c.devices() == {nv}
    np.testing.assert_array_equal(np.asarray(c), x * 2)
    d = jax.device_put(c, nv)  # same device: no-op or copy, value unchanged
    np.testing.assert_array_equal(np.asarray(d), x * 2)


def test_device_put_pytree_and_jnp_array_default_device(nv):
    tree = {"a": rand((3,), F32, seed=72), "b": [rand((2, 2), I32, seed=73), np.bool_(True)]}
    placed = jax.device_put(tree, nv)
    for leaf in jax.tree_util.tree_leaves(placed):
        assert leaf.devices() == {nv}
    assert_trees_close(jax.device_get(placed), tree)
    with jax.default_device(nv):
        y = jnp.arange(6.0) * 3
    assert y.devices() == {nv}
    np.testing.assert_array_equal(np.asarray(y), np.arange(6.0, dtype=np.float32) * 3)


# ------------------------------------------------------------------- host layouts


def _layouts():
    base = rand((6, 10), F32, seed=74)
    cube = rand((4, 5, 6), F32, seed=75)
    return {
        "transposed": base.T,
        "fortran_order": np.asfortranarray(base),
        "row_stride_2": base[::2],
        "col_stride_3": base[:, ::3],
        "reversed": base[::-1],
        "reversed_cols": base[:, ::-1],
        "cube_transposed_201": cube.transpose(2, 0, 1),
        "cube_strided": cube[1:, ::2, 1::2],
        "broadcast_zero_stride": np.broadcast_to(base[0], (4, 10)),
        "int_transposed": rand((5, 7), I32, seed=76).T,
        "bf16_transposed": rand((3, 9), BF16, seed=77).T,
        "bool_strided": rand((8, 6), BOOL, seed=78)[::2, ::2],
    }


@pytest.mark.parametrize("name", list(_layouts()))
def test_non_row_major_host_inputs(name, nv):
    """numpy arrays that are not dense row-major go to the plugin as they are (PJRT gets
    their byte strides); the device must see the logical values."""
    x = _layouts()[name]
    assert not x.flags.c_contiguous or x.strides == () or name == "broadcast_zero_stride"
    np.testing.assert_array_equal(np.asarray(jax.device_put(x, nv)), np.ascontiguousarray(x))
    if x.dtype == np.bool_:
        check(lambda a: (a, ~a, a.sum(axis=0)), x, label=name)
    else:
        check(lambda a: (a, a * 2, a.sum(axis=0), a[0]), x, label=name)


def test_device_transposed_output_used_as_input():
    x = rand((5, 8), F32, seed=79)
    check(lambda a: (a.T @ a, (a.T)[::2].T, jnp.swapaxes(a.reshape(5, 2, 4), 0, 2)), x,
          rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------- pytrees / outputs


def test_pytree_inputs_and_outputs():
    tree = {"w": rand((3, 4), F32, seed=80), "nested": (rand((4,), F32, seed=81),
                                                       {"k": rand((2,), I32, seed=82)})}

    def f(t, scale):
        w = t["w"]
        v, inner = t["nested"]
        return {"y": w @ v * scale, "stats": (w.sum(), w.max(), inner["k"] * 2)}, [v, v + 1]

    check(f, tree, np.float32(0.5))


def test_many_outputs_and_unused_inputs():
    xs = [rand((i + 1,), F32, seed=83 + i) for i in range(10)]
    check(lambda *a: tuple(v * k for k, v in enumerate(a)) + (a[0], a[0]), *xs)
    check(lambda a, b, c: a + 1, xs[0], xs[1], xs[2], label="unused inputs")


def test_output_is_input_and_constant_outputs():
    x = rand((3,), F32, seed=93)
    check(lambda a: (a, jnp.ones((2, 2)), jnp.int32(7), None), x)


# ------------------------------------------------------------------- donation


def test_donation_result(nv):
    x = rand((64, 64), F32, seed=94)
    y = rand((64, 64), F32, seed=95)
    f = jax.jit(lambda a, b: (a * 2 + b, b.sum()), donate_argnums=(0,))
    for device in (nv,):
        a, b = jax.device_put((x, y), device)
        out, s = f(a, b)
        np.testing.assert_allclose(np.asarray(out), x * 2 + y, rtol=1e-6)
        np.testing.assert_allclose(float(s), y.sum(), rtol=1e-5)
        np.testing.assert_array_equal(np.asarray(b), y)  # not donated: still alive


def test_donation_is_safe(nv):
    """JAX offers donation only to the platforms it lists (cpu, cuda, rocm, tpu, neuron), so
    for a plugin it warns and keeps the input: the donated-from array stays valid and the
    updated state keeps flowing through steps. (Where the backend takes the donation, as
    JAX's CPU does in self-check mode, the donated-from array is deleted instead.)"""
    f = jax.jit(lambda state, delta: state + delta, donate_argnums=0)
    state = jax.device_put(np.zeros((128,), F32), nv)
    delta = jax.device_put(np.ones((128,), F32), nv)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(5):
            old, before = state, np.asarray(state)
            state = f(state, delta)
            np.testing.assert_array_equal(np.asarray(state), before + 1)
            if not old.is_deleted():  # kept: must still hold its value
                np.testing.assert_array_equal(np.asarray(old), before)
    np.testing.assert_array_equal(np.asarray(state), np.full((128,), 5, F32))


# ------------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [F32, BF16, F16, I32, BOOL, np.int8, np.uint8, np.uint32],
                         ids=dtype_id)
def test_dtype_program(dtype):
    x, y = rand((4, 9), dtype, seed=96), rand((4, 9), dtype, seed=97)
    if dtype == BOOL:
        check(lambda a, b: (a & b, a | ~b, jnp.where(a, b, ~b), a.sum(), jnp.sort(a.astype(jnp.int32))),
              x, y)
    else:
        check(lambda a, b: (a + b, a * b, jnp.maximum(a, b), a.sum(axis=1, dtype=a.dtype), a[::-1],
                            jnp.sort(a, axis=1), a > b),
              x, y, rtol=2e-2 if dtype in (BF16, F16) else None,
              atol=2e-2 if dtype in (BF16, F16) else None)


def test_special_float_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, 3.4e38, -1.0], F32)  # no denormals: XLA:CPU flushes them to zero
    check(lambda a: (a + 1, a * 0, jnp.isnan(a), jnp.isinf(a), jnp.maximum(a, 0.0), jnp.sign(a),
                     a.astype(jnp.bfloat16), jnp.exp(a), jnp.sqrt(jnp.abs(a))), x,
          transcendental=True)


# ------------------------------------------------------------------- sizes


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4, 2)], ids=str)
def test_zero_sized(shape):
    x = np.zeros(shape, F32)
    check(lambda a: (a + 1, a.sum(), a.sum(axis=0), a.reshape(-1), jnp.concatenate([a, a], 0),
                     jnp.max(a, initial=-1.0), a.astype(jnp.int32)), x)


def test_zero_sized_matmul_and_concat_with_nonempty():
    a, b = np.zeros((2, 0), F32), np.zeros((0, 3), F32)
    c = rand((4, 3), F32, seed=98)
    check(lambda a, b, c: (a @ b, jnp.concatenate([a @ b, c], 0), c[:0], c[2:2].sum()), a, b, c)


def test_large_array():
    n = 4 * 1024 * 1024
    x = (np.arange(n, dtype=np.float32) % 1000) / 1000.0
    out = check(lambda a: (a * 2 - 1, jnp.sum(a), jnp.max(a), a.reshape(2048, 2048).sum(axis=0)),
                x, rtol=1e-4, atol=1e-3)
    assert out[0].shape == (n,)


def test_scalars(nv):
    check(lambda a, b: (a * b, a + 1, jnp.sqrt(jnp.abs(b)), a > b, (a * 3).astype(jnp.int32)),
          np.float32(1.5), np.float32(-4.0), transcendental=True)
    check(lambda a, b: (a // b, a % b, a == b), np.int32(17), np.int32(5))
    check(lambda b: ~b, np.bool_(True))
    # Python scalars are weakly typed; they must keep their value and dtype on the plugin.
    out = jax.jit(lambda a, b: a * b + 1)(jax.device_put(2.0, nv), 3)
    assert out.devices() == {nv} and out.dtype == jnp.float32 and float(out) == 7.0
    assert jax.jit(lambda: jnp.float32(42))().dtype == jnp.float32


# ------------------------------------------------------------------- executables


def test_aot_lower_compile_call(nv):
    x = jax.device_put(rand((8, 8), F32, seed=99), nv)
    compiled = jax.jit(lambda a: jnp.tanh(a @ a.T)).lower(x).compile()
    out = compiled(x)
    assert out.devices() == {nv}
    np.testing.assert_allclose(np.asarray(out), np.tanh(np.asarray(x) @ np.asarray(x).T),
                               rtol=1e-4, atol=1e-5)
    assert compiled.as_text()  # the executable describes itself


def test_recompile_per_shape_and_static_args(nv):
    f = jax.jit(lambda x, n: jnp.tile(x, n) * n, static_argnums=1)
    for size in (1, 3, 8):
        for n in (1, 2):
            x = rand((size,), F32, seed=size)
            np.testing.assert_array_equal(np.asarray(f(jax.device_put(x, nv), n)),
                                          np.tile(x, n) * n)


def test_async_dispatch_chain(nv):
    step = jax.jit(lambda a: a * 1.0001 + 0.5)
    x = jax.device_put(np.zeros((1000,), F32), nv)
    expected = np.zeros((1000,), F32)
    for _ in range(50):
        x = step(x)
        expected = (expected * np.float32(1.0001) + np.float32(0.5)).astype(F32)
    np.testing.assert_allclose(np.asarray(x), expected, rtol=1e-5)


def test_same_executable_many_inputs(nv):
    f = jax.jit(lambda a, b: jnp.dot(a, b))
    for seed in range(10):
        a, b = rand((4, 5), F32, seed=seed), rand((5,), F32, seed=seed + 100)
        np.testing.assert_allclose(np.asarray(f(*jax.device_put((a, b), nv))), a @ b,
                                   rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------- fresh interpreters


def run_python(code: str, env_extra: dict[str, str] | None = None, timeout=300) -> dict:
    """Runs `code` in a fresh interpreter with the suite's environment; the code prints one
    JSON object on its last line, which is returned."""
    env = dict(os.environ)
    env.update(env_extra or {})
    tests_dir = str(Path(__file__).resolve().parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (tests_dir, env.get("PYTHONPATH", "")) if p)
    prelude = textwrap.dedent("""
        import json, os, sys
        import harness
        harness.configure_environment()
        import jax, jax.numpy as jnp, numpy as np
        nv, cpu = harness.nv_device(), harness.cpu_device()
    """)
    proc = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"subprocess failed ({proc.returncode}):\n{proc.stderr[-6000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


PERSISTENT_CACHE_CODE = """
    from jax._src import compilation_cache
    cache_dir = os.environ["CACHE_DIR"]
    jax.config.update("jax_compilation_cache_dir", cache_dir)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    jax.config.update("jax_raise_persistent_cache_errors", True)
    events = []
    jax.monitoring.register_event_listener(lambda name, **kw: events.append(name))
    backend = nv.client
    platform_allowed = compilation_cache.is_cache_used(backend)
    if os.environ.get("FORCE_CACHE") == "1":
        compilation_cache.is_cache_used = lambda backend: True

    def f(a):
        return jnp.sin(a) @ a.T + 1.0

    x = jax.device_put(np.arange(12, dtype=np.float32).reshape(3, 4), nv)
    first = np.asarray(jax.jit(f)(x))
    files_after_first = sorted(os.listdir(cache_dir))
    hits_before = events.count("/jax/compilation_cache/cache_hits")
    jax.clear_caches()
    second_out = jax.jit(f)(x)
    second = np.asarray(second_out)
    print(json.dumps({
        "platform": backend.platform,
        "platform_allowed": platform_allowed,
        "files_after_first": files_after_first,
        "hits_before": hits_before,
        "hits_after": events.count("/jax/compilation_cache/cache_hits"),
        "same": bool(np.array_equal(first, second)),
        "on_device": second_out.devices() == {nv},
    }))
"""


def _check_cache_result(result):
    entries = [f for f in result["files_after_first"] if not f.startswith("xla_gpu")]
    assert entries, f"the first compile wrote no cache entry: {result}"
    assert result["hits_before"] == 0, result
    assert result["hits_after"] == 1, f"the second compile did not hit the cache: {result}"
    assert result["same"] and result["on_device"], result


def test_persistent_compilation_cache(tmp_path):
    """Compile, drop the in-memory caches, compile again: the second compile is a hit of
    the on-disk cache, and the executable it loads computes the same values."""
    result = run_python(PERSISTENT_CACHE_CODE, {"CACHE_DIR": str(tmp_path)})
    if not result["platform_allowed"]:
        pytest.xfail(
            f"JAX does not use the persistent cache for platform {result['platform']!r}: "
            "jax._src.compilation_cache.is_cache_used() only allows tpu/gpu/cpu/neuron "
            "(test_persistent_cache_plugin_side checks the plugin's half)")
    _check_cache_result(result)


def test_persistent_cache_plugin_side(tmp_path):
    """The plugin's half of the persistent cache, with JAX's platform check bypassed:
    executables serialize, and deserialize into executables that run (the cache's own
    path: backend.serialize_executable / deserialize_executable)."""
    result = run_python(PERSISTENT_CACHE_CODE, {"CACHE_DIR": str(tmp_path), "FORCE_CACHE": "1"})
    _check_cache_result(result)


X64_CODE = """
    assert jax.config.jax_enable_x64
    rng = np.random.default_rng(0)
    inputs = {
        "f64": rng.uniform(-3, 3, (4, 5)),
        "i64": rng.integers(-2**40, 2**40, (4, 5), dtype=np.int64),
        "u8": rng.integers(0, 255, (4, 5), dtype=np.uint8),
        "i8": rng.integers(-128, 127, (4, 5), dtype=np.int8),
        "u64": rng.integers(0, 2**62, (4, 5), dtype=np.uint64),
    }

    def f(t):
        out = {}
        for k, v in t.items():
            out[k] = (v + v, v * 3, v.sum(axis=0), jnp.max(v, axis=1), v.T, jnp.sort(v, axis=1))
        out["f64_math"] = (jnp.exp(t["f64"]), jnp.tanh(t["f64"]), t["f64"] @ t["f64"].T,
                           t["f64"].astype(jnp.float32), jnp.float64(1) / 3)
        out["i64_math"] = (t["i64"] // 7, t["i64"] % 7, t["i64"] >> 3, t["i64"].astype(jnp.float64))
        out["u8_math"] = (t["u8"] // 3, t["u8"] - jnp.uint8(7), t["u8"].astype(jnp.int32))
        return out

    def run(device):
        return jax.device_get(jax.jit(f)(jax.device_put(inputs, device)))

    a, e = run(nv), run(cpu)
    from harness import assert_trees_close
    assert_trees_close(a, e, transcendental=True, label="x64")
    dtypes = sorted({str(np.asarray(l).dtype) for l in jax.tree_util.tree_leaves(a)})
    print(json.dumps({"dtypes": dtypes}))
"""


def test_x64_dtypes():
    """f64, i64, u64, i8, u8 with jax_enable_x64 (a fresh interpreter: x64 is global)."""
    result = run_python(X64_CODE, {"JAX_ENABLE_X64": "1"})
    assert {"float64", "int64", "uint64", "uint8", "int8"} <= set(result["dtypes"]), result
