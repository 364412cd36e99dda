#!/usr/bin/env python3
"""Exports StableHLO text programs as StableHLO portable artifacts (VHLO MLIR bytecode).

Usage:
  export_bytecode.py IN_DIR_OR_FILE... --out OUT_DIR --version X.Y.Z

For every `.mlir` file found (directly in each IN_DIR, or given as a file) the program
is parsed with jaxlib's MLIR bindings (dialects registered as JAX does) and serialized
with `serialize_portable_artifact` at the requested StableHLO version; the result is
written to `OUT_DIR/NAME.mlirbc`. Files jaxlib cannot parse or serialize are listed with
the reason and skipped. Beside each artifact, `NAME.roundtrip.mlir` is the text of the
artifact as jaxlib deserializes it (the StableHLO -> VHLO conversion folds and hoists
duplicate constants, so this can differ from the input text op for op).
`OUT_DIR/manifest.tsv` lists `bytecode path<TAB>text path<TAB>round-trip text path`, one
line per written file; the Swift test `BytecodeCorpusTests` reads it (env
`NVGPU_BYTECODE_DIR=OUT_DIR`).

  export_bytecode.py IN_DIR_OR_FILE... --out OUT_DIR --plain

writes plain MLIR bytecode of the stablehlo/func/builtin module instead (what
`jax._src.interpreters.mlir.module_to_bytecode` makes); the round-trip text is then the
module as jaxlib prints it.

  export_bytecode.py --index-artifacts ARTIFACT.mlir.bc... --out OUT_DIR

writes only the manifest (and round-trip texts) for existing artifacts, such as
StableHLO's `stablehlo/tests/vhlo/stablehlo_legalize_to_vhlo.X_Y_Z.mlir.bc` files, which
older StableHLO releases wrote (older MLIR bytecode versions).

  export_bytecode.py --jit-examples OUT_DIR [--version 1.17.0]

writes a few `jax.jit(f).lower(x).compiler_ir('stablehlo')` modules (MLP with grad,
lax.scan, while_loop, cond, sort) as `NAME.mlirbc`, `NAME.mlir` (the module's text as
JAX printed it), `NAME.roundtrip.mlir` (the artifact deserialized by jaxlib) and
`NAME.plain.mlirbc` (the module's plain bytecode, `module_to_bytecode`).
"""
import argparse
import os
import sys


def _context():
    from jax._src.interpreters import mlir
    return mlir.make_ir_context()


def _serialize(module, version):
    from jax._src.interpreters import mlir
    from jax._src.lib import _jax
    return _jax.mlir.serialize_portable_artifact(mlir.module_to_bytecode(module), version, True)


def _inputs(paths):
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith(".mlir"):
                    yield os.path.join(p, name)
        elif p.endswith(".mlir"):
            yield p


def _deserialized_text(data):
    """The StableHLO text of a portable artifact as jaxlib reads it back."""
    from jaxlib.mlir.dialects import stablehlo
    with _context() as ctx:
        return stablehlo.deserialize_portable_artifact(ctx, data).operation.get_asm()


def export(paths, out, version, plain=False):
    from jax._src.lib.mlir import ir
    os.makedirs(out, exist_ok=True)
    manifest = []
    skipped = []
    seen = set()
    for path in _inputs(paths):
        base = os.path.splitext(os.path.basename(path))[0]
        name = base
        k = 1
        while name in seen:  # the same file name in two fixture folders
            k += 1
            name = f"{base}_{k}"
        seen.add(name)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            with _context():
                module = ir.Module.parse(text)
                if plain:
                    from jax._src.interpreters import mlir
                    data = mlir.module_to_bytecode(module)
                    plain_text = module.operation.get_asm()
                else:
                    data = _serialize(module, version)
        except Exception as e:  # jaxlib raises several error types
            reason = str(e).strip().splitlines()
            skipped.append((path, reason[0] if reason else type(e).__name__))
            continue
        target = os.path.join(out, name + ".mlirbc")
        with open(target, "wb") as f:
            f.write(data)
        roundtrip = os.path.join(out, name + ".roundtrip.mlir")
        try:
            with open(roundtrip, "w", encoding="utf-8") as f:
                f.write(plain_text if plain else _deserialized_text(data))
        except Exception as e:
            reason = str(e).strip().splitlines()
            print(f"no round-trip text for {path}: {reason[0] if reason else type(e).__name__}", file=sys.stderr)
            roundtrip = ""
        manifest.append((os.path.abspath(target), os.path.abspath(path),
                         os.path.abspath(roundtrip) if roundtrip else ""))
    with open(os.path.join(out, "manifest.tsv"), "w", encoding="utf-8") as f:
        for b, t, r in manifest:
            f.write(f"{b}\t{t}\t{r}\n")
    for path, reason in skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    kind = "plain (stablehlo/func/builtin) bytecode" if plain else f"bytecode files at version {version}"
    print(f"wrote {len(manifest)} {kind} to {out}; skipped {len(skipped)}")


def index_artifacts(paths, out):
    """Writes a manifest for existing artifacts (e.g. StableHLO's versioned test files
    `stablehlo/tests/vhlo/*.mlir.bc`): the text beside each `NAME.mlir.bc` is `NAME.mlir`;
    the round-trip text is what jaxlib deserializes (skipped for versions it cannot read)."""
    os.makedirs(out, exist_ok=True)
    rows = []
    for path in paths:
        name = os.path.basename(path)
        text = path[:-3] if path.endswith(".mlir.bc") else ""
        with open(path, "rb") as f:
            data = f.read()
        roundtrip = os.path.join(out, name + ".roundtrip.mlir")
        try:
            with open(roundtrip, "w", encoding="utf-8") as f:
                f.write(plain_text if plain else _deserialized_text(data))
        except Exception as e:
            reason = str(e).strip().splitlines()
            print(f"no round-trip text for {path}: {reason[0] if reason else type(e).__name__}", file=sys.stderr)
            os.remove(roundtrip)
            roundtrip = ""
        rows.append((os.path.abspath(path), os.path.abspath(text) if text else "",
                     os.path.abspath(roundtrip) if roundtrip else ""))
    with open(os.path.join(out, "manifest.tsv"), "w", encoding="utf-8") as f:
        for b, t, r in rows:
            f.write(f"{b}\t{t}\t{r}\n")
    print(f"indexed {len(rows)} artifacts in {out}")


def jit_examples(out, version):
    import jax
    import jax.numpy as jnp
    from jax import lax

    def mlp_grad(params, x):
        def loss(p):
            h = jnp.tanh(x @ p["w1"] + p["b1"])
            y = h @ p["w2"] + p["b2"]
            return jnp.mean(y * y)
        return jax.grad(loss)(params)

    def scan_cumsum(x):
        def step(c, v):
            c = c + v
            return c, c * 2.0
        return lax.scan(step, jnp.zeros(x.shape[1:], x.dtype), x)

    def while_loop(x):
        return lax.while_loop(lambda s: s[0] < 10, lambda s: (s[0] + 1, s[1] * 1.5), (0, x))

    def cond(p, x):
        return lax.cond(p > 0, lambda v: jnp.sin(v), lambda v: jnp.cos(v) + 1.0, x)

    def sort(x):
        return jnp.sort(x, axis=-1), jnp.argsort(x, axis=0)

    f32 = jnp.float32
    examples = {
        "jit_mlp_grad": (mlp_grad, ({"w1": jnp.ones((4, 8), f32), "b1": jnp.ones((8,), f32),
                                     "w2": jnp.ones((8, 2), f32), "b2": jnp.ones((2,), f32)},
                                    jnp.ones((3, 4), f32))),
        "jit_scan": (scan_cumsum, (jnp.ones((5, 3), f32),)),
        "jit_while_loop": (while_loop, (jnp.ones((2, 2), f32),)),
        "jit_cond": (cond, (jnp.int32(1), jnp.ones((3,), f32))),
        "jit_sort": (sort, (jnp.ones((4, 5), f32),)),
    }
    from jax._src.interpreters import mlir
    from jax._src.lib import _jax
    os.makedirs(out, exist_ok=True)
    for name, (f, args) in examples.items():
        module = jax.jit(f).lower(*args).compiler_ir("stablehlo")
        data = _jax.mlir.serialize_portable_artifact(mlir.module_to_bytecode(module), version, True)
        with open(os.path.join(out, name + ".mlirbc"), "wb") as fh:
            fh.write(data)
        with open(os.path.join(out, name + ".mlir"), "w", encoding="utf-8") as fh:
            fh.write(module.operation.get_asm())
        with open(os.path.join(out, name + ".roundtrip.mlir"), "w", encoding="utf-8") as fh:
            fh.write(_deserialized_text(data))
        with open(os.path.join(out, name + ".plain.mlirbc"), "wb") as fh:
            fh.write(mlir.module_to_bytecode(module))
        print(f"wrote {name}.mlirbc ({len(data)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--out")
    ap.add_argument("--version", default="1.17.0")
    ap.add_argument("--jit-examples", metavar="OUT_DIR")
    ap.add_argument("--plain", action="store_true",
                    help="write plain MLIR bytecode of the stablehlo module (as jax's module_to_bytecode does) "
                         "instead of a VHLO portable artifact")
    ap.add_argument("--index-artifacts", action="store_true",
                    help="the inputs are existing artifacts (*.mlir.bc): only write the manifest and round-trip texts")
    args = ap.parse_args()
    if args.index_artifacts:
        index_artifacts(args.inputs, args.out)
        return
    if args.jit_examples:
        jit_examples(args.jit_examples, args.version)
    if args.inputs:
        if not args.out:
            ap.error("--out is required with inputs")
        export(args.inputs, args.out, args.version, plain=args.plain)


if __name__ == "__main__":
    main()
