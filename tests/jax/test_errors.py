"""Errors reach Python as exceptions that say what went wrong, and the plugin keeps working
after each one."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from harness import nv_device, rand

UNKNOWN_TARGET = "nvgpu_test_unknown_target"


def assert_still_works(device=None):
    """Runs a fresh program and an already compiled one on the device under test."""
    device = device or nv_device()
    x = jax.device_put(np.arange(6, dtype=np.float32), device)
    out = jax.jit(lambda a: (a * 2 + 1).sum())(x)
    assert out.devices() == {device}
    assert float(out) == 36.0
    np.testing.assert_array_equal(np.asarray(_precompiled(device)(x)), np.arange(6) * 3.0)


_cache = {}


def _precompiled(device):
    if device not in _cache:
        x = jax.device_put(np.zeros(6, np.float32), device)
        _cache[device] = jax.jit(lambda a: a * 3).lower(x).compile()
    return _cache[device]


def unknown_custom_call(x):
    return jax.ffi.ffi_call(UNKNOWN_TARGET, jax.ShapeDtypeStruct(x.shape, x.dtype))(x) + 1


def test_unsupported_op_raises_and_names_it(nv):
    _precompiled(nv)  # compiled before the failure, used after it
    x = jax.device_put(np.ones((4,), np.float32), nv)
    lowered = jax.jit(unknown_custom_call).lower(x)  # lowering is JAX's job and succeeds
    assert UNKNOWN_TARGET in lowered.as_text()
    with pytest.raises(RuntimeError) as info:  # XlaRuntimeError / JaxRuntimeError
        lowered.compile()
    message = str(info.value)
    assert UNKNOWN_TARGET in message, f"the error does not name the custom call: {message}"
    assert_still_works(nv)


def test_unsupported_op_through_plain_jit_call(nv):
    x = jax.device_put(np.ones((2, 3), np.float32), nv)
    with pytest.raises(RuntimeError, match=UNKNOWN_TARGET):
        # block: an error that a backend reports at run time surfaces when the result is awaited
        jax.block_until_ready(jax.jit(unknown_custom_call)(x))
    assert_still_works(nv)


def test_repeated_compile_failures_do_not_break_the_client(nv):
    for i in range(3):
        x = jax.device_put(np.ones((i + 1,), np.float32), nv)
        with pytest.raises(RuntimeError, match=UNKNOWN_TARGET):
            jax.block_until_ready(jax.jit(unknown_custom_call)(x))
        assert_still_works(nv)


def test_wrong_shape_and_dtype_to_compiled_executable(nv):
    x = jax.device_put(np.ones((3, 4), np.float32), nv)
    compiled = jax.jit(lambda a: a @ a.T).lower(x).compile()
    with pytest.raises(TypeError):
        compiled(jax.device_put(np.ones((4, 3), np.float32), nv))
    with pytest.raises(TypeError):
        compiled(jax.device_put(np.ones((3, 4), np.int32), nv))
    with pytest.raises(TypeError):
        compiled(x, x)  # wrong number of arguments
    np.testing.assert_allclose(np.asarray(compiled(x)), np.full((3, 3), 4.0))
    assert_still_works(nv)


def test_shape_mismatch_in_program(nv):
    a = jax.device_put(np.ones((3,), np.float32), nv)
    b = jax.device_put(np.ones((4,), np.float32), nv)
    with pytest.raises(TypeError):
        jax.jit(jnp.dot)(a, b)
    with pytest.raises((TypeError, ValueError)):
        jax.jit(lambda u, v: u + v)(a, b)
    assert_still_works(nv)


def test_bad_host_inputs(nv):
    with pytest.raises((TypeError, ValueError)):
        jax.device_put(np.array([object(), 1], dtype=object), nv)
    with pytest.raises((TypeError, ValueError)):
        jax.jit(lambda a: a + 1)("not an array")
    assert_still_works(nv)


def test_out_of_memory_is_an_error(nv):
    """A program that needs more memory than the machine has (a 16 TiB broadcast) raises an
    error instead of ending the process, and the client keeps working."""
    x = jax.device_put(np.ones((4,), np.float32), nv)
    with pytest.raises(RuntimeError, match="RESOURCE_EXHAUSTED|memory"):
        jax.jit(lambda a: jnp.broadcast_to(a[0], (1 << 21, 1 << 21)))(x).block_until_ready()
    assert_still_works(nv)


def test_use_of_deleted_buffer_raises(nv):
    x = jax.device_put(rand((5,), np.float32), nv)
    x.delete()
    assert x.is_deleted()
    with pytest.raises(RuntimeError, match="deleted"):
        jax.jit(lambda a: a + 1)(x)
    with pytest.raises(RuntimeError, match="deleted"):
        np.asarray(x)
    assert_still_works(nv)


def test_use_of_donated_buffer_raises(nv):
    x = jax.device_put(np.ones((16,), np.float32), nv)
    y = jax.jit(lambda a: a * 2, donate_argnums=0)(x)
    np.testing.assert_array_equal(np.asarray(y), np.full((16,), 2.0, np.float32))
    if not x.is_deleted():
        pytest.skip("the backend did not take the donation (test_donation_consumes_input says so)")
    with pytest.raises(RuntimeError, match="deleted|donated"):
        jax.jit(lambda a: a + 1)(x)
    assert_still_works(nv)


def test_host_callback_fails_cleanly(nv):
    """jax.pure_callback has no lowering for the nvgpu platform (JAX emits host callbacks only
    for cpu/cuda/rocm/tpu): a Python exception that mentions the callback, then business as
    usual. On JAX's CPU (self-check) the callback simply works."""
    x = jax.device_put(np.arange(4, dtype=np.float32), nv)

    def f(a):
        return jax.pure_callback(lambda v: np.asarray(v) * 2,
                                 jax.ShapeDtypeStruct(a.shape, a.dtype), a) + 1

    if nv.platform == "cpu":
        np.testing.assert_array_equal(np.asarray(jax.jit(f)(x)), np.arange(4) * 2 + 1)
    else:
        with pytest.raises(Exception, match="(?i)callback") as info:
            jax.jit(f)(x)
        assert not isinstance(info.value, (SystemExit, KeyboardInterrupt))
    assert_still_works(nv)
