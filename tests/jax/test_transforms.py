"""JAX transformations and control flow under jit: grad, training steps, scan, while_loop,
cond, switch, vmap, random."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

import harness
from harness import assert_trees_close, check, cpu_device, nv_device, rand


def init_mlp(sizes, seed=0):
    params = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = rand((n_in, n_out), np.float32, seed=seed + 2 * i, low=-1, high=1) / np.sqrt(n_in)
        b = rand((n_out,), np.float32, seed=seed + 2 * i + 1, low=-0.1, high=0.1)
        params.append({"w": w.astype(np.float32), "b": b})
    return params


def mlp(params, x):
    for layer in params[:-1]:
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
    last = params[-1]
    return x @ last["w"] + last["b"]


def loss_fn(params, x, y):
    pred = mlp(params, x)
    return jnp.mean((pred - y) ** 2)


def test_grad_mlp():
    params = init_mlp([8, 16, 16, 2])
    x, y = rand((12, 8), np.float32, seed=50), rand((12, 2), np.float32, seed=51)
    check(jax.value_and_grad(loss_fn), params, x, y, rtol=1e-4, atol=1e-5)


def _tanh_net(w, x):
    return jnp.sum(jnp.tanh(w @ jnp.tanh(w @ x)) ** 2)


def _hvp(w, x):
    return jax.jvp(lambda w_: jax.grad(_tanh_net)(w_, x), (w,), (jnp.ones_like(w),))[1]


@pytest.mark.parametrize("name,fn", [
    ("grad", jax.grad(_tanh_net, argnums=(0, 1))),
    ("hessian_vector_product", _hvp),
    ("jacfwd", jax.jacfwd(_tanh_net, 1)),
    ("jacrev", jax.jacrev(_tanh_net, 0)),
    ("hessian", jax.hessian(_tanh_net, 1)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_derivatives_of_tanh_network(name, fn):
    """Reverse mode, forward mode and both nested: each its own program (their transposed and
    batched matmuls with broadcast epilogues differ)."""
    w = rand((6, 6), np.float32, seed=52, low=-0.5, high=0.5)
    x = rand((6,), np.float32, seed=53)
    check(fn, w, x, transcendental=True, label=name)


def sgd_step(params, x, y, lr):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    params = jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
    return params, loss


@pytest.mark.parametrize("steps", [5])
def test_sgd_training_loop(steps):
    """Params pytree updated over several jitted steps; every step's params and loss agree,
    and the loss goes down."""
    x = rand((32, 4), np.float32, seed=54)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)).astype(np.float32)
    init = init_mlp([4, 16, 1], seed=3)
    step = jax.jit(sgd_step)

    def train(device):
        params = jax.device_put(init, device)
        xs, ys, lr = jax.device_put((x, y, np.float32(0.05)), device)
        history = []
        for _ in range(steps):
            params, loss = step(params, xs, ys, lr)
            history.append((jax.device_get(params), float(loss)))
        assert all(leaf.devices() == {device} for leaf in jax.tree_util.tree_leaves(params))
        return history

    expected = train(cpu_device())
    actual = train(nv_device())
    for i, ((p_a, l_a), (p_e, l_e)) in enumerate(zip(actual, expected)):
        assert_trees_close(p_a, p_e, rtol=1e-4, atol=1e-5, label=f"step {i} params")
        np.testing.assert_allclose(l_a, l_e, rtol=1e-4, err_msg=f"step {i} loss")
    assert actual[-1][1] < actual[0][1], "loss did not decrease"


def test_scan_rnn():
    w = rand((5, 5), np.float32, seed=55, low=-0.5, high=0.5)
    xs = rand((9, 5), np.float32, seed=56)

    def rnn(w, xs):
        def cell(h, x):
            h = jnp.tanh(w @ h + x)
            return h, h.sum()
        return lax.scan(cell, jnp.zeros(5, xs.dtype), xs)

    check(rnn, w, xs, transcendental=True)
    check(jax.grad(lambda w, xs: rnn(w, xs)[1].sum()), w, xs, transcendental=True,
          label="grad(scan)")


def test_scan_reverse_and_unroll():
    xs = rand((12, 3), np.float32, seed=57)
    check(lambda xs: (lax.scan(lambda c, x: (c * 0.5 + x, c), jnp.zeros(3), xs, reverse=True),
                      lax.scan(lambda c, x: (c + x, c * x), jnp.ones(3), xs, unroll=3)), xs)


def test_while_loop():
    x = np.float32(3.0)

    def collatz_like(x):
        def cond(state):
            i, v = state
            return (i < 100) & (v > 1.0)

        def body(state):
            i, v = state
            return i + 1, jnp.where(v > 10, v / 3.0, v * 0.9 + 0.05)

        return lax.while_loop(cond, body, (jnp.int32(0), x * 7))

    check(collatz_like, x)


def test_fori_loop_and_newton_sqrt():
    x = rand((7,), np.float32, seed=58, low=0.5, high=50)

    def newton(a):
        return lax.fori_loop(0, 20, lambda i, g: 0.5 * (g + a / g), jnp.ones_like(a))

    def fixed_count(a):  # fori_loop with traced bounds lowers to while_loop
        n = jnp.int32(a.shape[0])
        return lax.fori_loop(0, n, lambda i, acc: acc + a[i] * i, jnp.float32(0))

    check(lambda a: (newton(a), fixed_count(a)), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("pred", [True, False])
def test_cond(pred):
    x = rand((4, 4), np.float32, seed=59)
    check(lambda p, x: lax.cond(p, lambda v: (v @ v, v.sum()), lambda v: (v.T, -v.sum()), x),
          np.bool_(pred), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("index", [0, 1, 2, 7, -1])
def test_switch(index):
    x = rand((6,), np.float32, seed=60)
    branches = [lambda v: v + 1, lambda v: jnp.sin(v), lambda v: jnp.cumsum(v)]
    check(lambda i, x: lax.switch(i, branches, x), np.int32(index), x, transcendental=True)


def test_vmap():
    m = rand((4, 6, 5), np.float32, seed=61)
    v = rand((4, 5), np.float32, seed=62)

    def per_example(mat, vec):
        out = mat @ vec
        return jax.nn.softmax(out), jnp.argmax(out)

    check(jax.vmap(per_example), m, v, transcendental=True)
    check(jax.vmap(per_example, in_axes=(None, 0)), m[0], v, transcendental=True,
          label="vmap in_axes=(None, 0)")


def test_vmap_of_grad_per_example_gradients():
    params = init_mlp([3, 8, 1], seed=5)
    x, y = rand((10, 3), np.float32, seed=63), rand((10, 1), np.float32, seed=64)
    per_ex = jax.vmap(jax.grad(lambda p, xi, yi: loss_fn(p, xi[None], yi[None])),
                      in_axes=(None, 0, 0))
    check(per_ex, params, x, y, rtol=1e-4, atol=1e-5)


def test_checkpoint_remat():
    w = rand((8, 8), np.float32, seed=65, low=-0.5, high=0.5)
    x = rand((8,), np.float32, seed=66)
    f = jax.checkpoint(lambda w, x: jnp.sin(w @ jnp.sin(w @ x)).sum())
    check(jax.grad(f), w, x, transcendental=True)


def test_random_keys():
    key = jax.random.key_data(jax.random.key(42))  # raw uint32[2]

    def sample(raw):
        key = jax.random.wrap_key_data(raw)
        k1, k2, k3, k4 = jax.random.split(key, 4)
        return (jax.random.normal(k1, (3, 5)), jax.random.uniform(k2, (7,), minval=-1.0),
                jax.random.randint(k3, (6,), 0, 100), jax.random.bernoulli(k4, 0.3, (8,)),
                jax.random.permutation(k1, 10), jax.random.key_data(jax.random.fold_in(k2, 7)),
                jax.random.categorical(k3, jnp.log(jnp.array([0.1, 0.6, 0.3])), shape=(5,)))

    check(sample, key, transcendental=True)


def test_random_typed_key_in_and_out():
    """Typed keys cross the boundary as u32 arrays; JAX's sharding constraint on the new key
    reaches the plugin as an identity cast, which the plugin drops."""
    key = jax.random.key(7)

    def f(k):
        k, sub = jax.random.split(k)
        return k, jax.random.normal(sub, (4,))

    results = []
    for device in (cpu_device(), nv_device()):
        k_out, sample = jax.jit(f)(jax.device_put(key, device))
        results.append((np.asarray(jax.random.key_data(k_out)), np.asarray(sample)))
    assert_trees_close(results[1], results[0], label="typed key")

