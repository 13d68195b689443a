"""The gradients as terms summed row by row, and arrays read from their buffers (issue 12's cost).

``net.gradients`` and ``compare_gradients`` build nodenet's gradient rows
one at a time from each sample's f·δ and a (nodenet.terms); a weight matrix
that is a C-contiguous float64 or float32 array is copied out of its
buffer.  Neither may change a single number or word of what comes out.
"""

import copy
import math
import random
from array import array

import pytest

from nodenet import Network, NodenetError, validate
from nodenet.oracle import compare_gradients, reading
from nodenet.terms import GradientTerms
from nodenet.training import batch_gradient


def hexes(gw, gb):
    return [[[g.hex() for g in row] for row in m] for m in gw], [[g.hex() for g in b] for b in gb]


def accumulated(net, X, Y):
    """The gradients as the training loop sums them: zeroed buffers, += per sample."""
    gw, gb = net.zero_like()
    for x, y in zip(X, Y):
        net.feedforward(x)
        net.backprop(y)
        net.accumulate_gradients(gw, gb, -net.loss_function.sample_scale(len(X)))
    return gw, gb


def batch(sizes, n, seed, zeros=False):
    rng = random.Random(seed)
    X = [[0.0 if zeros and i % 3 == 0 else rng.uniform(-2.0, 2.0) for i in range(sizes[0])]
         for _ in range(n)]
    Y = [[rng.uniform(0.1, 0.9) for _ in range(sizes[-1])] for _ in range(n)]
    return X, Y


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize("hidden, loss", [("relu", "sse"), ("tanh", "mse"), ("sigmoid", "bce")])
def test_gradients_are_the_training_loops_sums_bit_for_bit(n, hidden, loss):
    sizes = [4, 5, 3, 2]
    net = Network(sizes, activation=hidden, output_activation="sigmoid", loss=loss, seed=n)
    X, Y = batch(sizes, n, seed=7, zeros=True)
    assert hexes(*net.gradients(X, Y)) == hexes(*accumulated(net, X, Y))
    gw, gb = batch_gradient(net, X, Y, range(n))
    assert hexes(*net.gradients(X, Y)) == hexes(gw, gb)


def test_a_negative_zero_term_becomes_zero_as_in_the_sum_from_zero():
    # one input is 0.0 and f·δ < 0, so the term f·δ·a is −0.0; 0.0 + (−0.0) is 0.0
    net = Network.from_matrices([[[1.0, 1.0]]], activations="identity", loss="half_sse")
    X, Y = [[0.0, 1.0]], [[5.0]]            # a = 1, δ = y − a = 4, f·δ = −4: −4·0.0 = −0.0
    net.feedforward(X[0])
    net.backprop(Y[0])
    assert math.copysign(1.0, -net.layers[0][0].delta * 0.0) == -1.0
    gw, _ = net.gradients(X, Y)
    assert gw[0][0][0].hex() == "0x0.0p+0" and gw[0][0][1] == -4.0
    terms = GradientTerms(-1.0)
    terms.add(net)
    assert terms.row(0, 0)[0].hex() == "0x0.0p+0"


def test_terms_keep_their_own_copies_of_each_pass():
    net = Network([3, 4, 2], activation="tanh", output_activation="identity", loss="mse", seed=2)
    X, Y = batch([3, 4, 2], 3, seed=1)
    terms = GradientTerms(-1.0 / 3)
    for x, y in zip(X, Y):
        net.feedforward(x)
        net.backprop(y)
        terms.add(net)
    before = hexes(*terms.matrices())
    net.gradients(*batch([3, 4, 2], 2, seed=9))           # other passes overwrite the nodes
    assert hexes(*terms.matrices()) == before == hexes(*net.gradients(X, Y))
    assert repr(terms) == "GradientTerms(3 samples, factor -0.333333)"


def grid(r, c, fmt="d", seed=0):
    """A 2-D float buffer without NumPy: a memoryview cast to r×c."""
    rng = random.Random(seed)
    flat = array(fmt, [rng.uniform(-1.0, 1.0) for _ in range(r * c)])
    return memoryview(flat).cast("B").cast(fmt, [r, c])


@pytest.mark.parametrize("fmt", ["d", "f"])
def test_a_2d_float_buffer_is_copied_row_by_row(fmt):
    view = grid(3, 4, fmt)
    rows = reading.buffer_rows(view)
    assert [list(r) for r in rows] == view.tolist()
    assert all(type(r) is array and r.typecode == fmt for r in rows)
    first = rows[0][0]
    view[0, 0] = 9.0                            # the caller's buffer changes; the copy does not
    assert rows[0][0] == first != 9.0


def test_what_the_buffer_cannot_give_is_read_through_tolist():
    assert reading.buffer_rows([[1.0, 2.0]]) is None
    assert reading.buffer_rows(array("d", [1.0, 2.0])) is None              # 1-D
    assert reading.buffer_rows(memoryview(array("i", [1, 2])).cast("B").cast("i", [1, 2])) is None
    assert reading.buffer_rows(grid(3, 3)[::2]) is None                     # strided: a view
    assert reading.buffer_rows(object()) is None


def planted(net, X, Y):
    """nodenet's gradients with one wrong entry per layer and the last bits moved elsewhere."""
    gw, gb = net.gradients(X, Y)
    gw = [[[g * (1.0 + 2.0 ** -52) if i % 2 else g for i, g in enumerate(row)] for row in m]
          for m in gw]
    for m in gw:
        m[-1][0] += 0.25
    return gw, gb


def test_a_buffer_gives_the_report_that_lists_give():
    net = Network([5, 4, 3], activation="tanh", output_activation="sigmoid", loss="mse", seed=4)
    X, Y = batch([5, 4, 3], 2, seed=3)
    gw, gb = planted(net, X, Y)
    views = [memoryview(array("d", [g for row in m for g in row])).cast("B").cast(
        "d", [len(m), len(m[0])]) for m in gw]
    from_lists = compare_gradients(net, X, Y, gw, gb)
    from_buffers = compare_gradients(net, X, Y, views, gb)
    assert not from_buffers.ok and len(from_buffers.mismatches) == 2
    assert str(from_buffers) == str(from_lists)
    assert from_buffers.mismatches == from_lists.mismatches
    assert from_buffers.max_abs_error == from_lists.max_abs_error == 0.25
    gw[0][2][1], gw[1][0][3] = math.nan, -math.inf          # NaN and inf are mismatches too
    views[0][2, 1], views[1][0, 3] = math.nan, -math.inf
    from_lists = compare_gradients(net, X, Y, gw, gb)
    from_buffers = compare_gradients(net, X, Y, views, gb)
    assert str(from_buffers) == str(from_lists) and len(from_buffers.mismatches) == 4
    assert math.isnan(from_buffers.max_abs_error)


@pytest.mark.parametrize("kind", ["float64", "float32", "strided", "big-endian", "float16",
                                  "in_out"])
def test_numpy_arrays_of_every_kind_give_the_same_report(kind):
    np = pytest.importorskip("numpy", reason="NumPy arrays need NumPy")
    net = Network([6, 5, 3], activation="tanh", output_activation="sigmoid", loss="mse", seed=5)
    X, Y = batch([6, 5, 3], 3, seed=2)
    gw, gb = planted(net, X, Y)
    dtype = {"float32": np.float32, "big-endian": ">f8", "float16": np.float16}.get(kind, float)
    arrays = [np.array(m, dtype=dtype) for m in gw]
    layout = "in_out" if kind == "in_out" else "out_in"
    if kind == "strided":                       # the same values, as a transposed view
        arrays = [np.ascontiguousarray(a.T).T for a in arrays]
        assert not arrays[0].flags.c_contiguous
    if kind == "in_out":                        # Flax's and Keras' kernels: C-contiguous too
        arrays = [np.ascontiguousarray(a.T) for a in arrays]
    fast = kind in ("float64", "float32", "in_out")
    assert (reading.buffer_rows(arrays[0]) is not None) == fast
    lists = [a.tolist() for a in arrays]
    precision = {"float32": "float32", "float16": "float16"}.get(kind)
    want = compare_gradients(net, X, Y, lists, gb, dtype=precision, layout=layout)
    got = compare_gradients(net, X, Y, arrays, gb, dtype=precision, layout=layout)
    assert str(got) == str(want) and got.mismatches == want.mismatches


def test_torch_and_jax_arrays_are_read_from_their_buffers():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'nodenet[frameworks]')")
    jnp = pytest.importorskip("jax.numpy", reason="needs JAX (pip install 'nodenet[frameworks]')")
    net = Network([6, 5, 3], activation="tanh", output_activation="sigmoid", loss="mse", seed=5)
    X, Y = batch([6, 5, 3], 3, seed=2)
    gw, gb = planted(net, X, Y)
    want = compare_gradients(net, X, Y, [torch.tensor(m, dtype=torch.float32).tolist() for m in gw], gb,
                             dtype="float32")
    for arrays in ([torch.tensor(m, dtype=torch.float32, requires_grad=True) for m in gw],
                   [jnp.array(m, dtype=jnp.float32) for m in gw]):
        assert reading.buffer_rows(arrays[0]) is not None
        got = compare_gradients(net, X, Y, arrays, gb, dtype="float32")
        assert str(got) == str(want)
    bf16 = torch.tensor(gw[0], dtype=torch.bfloat16)
    assert reading.buffer_rows(bf16) is None                # NumPy has no bfloat16: tolist


def test_the_report_keeps_its_own_copy_of_the_callers_numbers():
    net = Network([4, 3, 2], activation="tanh", output_activation="identity", loss="mse", seed=1)
    X, Y = batch([4, 3, 2], 2, seed=5)
    gw, gb = planted(net, X, Y)
    views = [grid(len(m), len(m[0]), seed=0) for m in gw]
    for view, m in zip(views, gw):
        for j, row in enumerate(m):
            for i, g in enumerate(row):
                view[j, i] = g
    lists = copy.deepcopy(gw)
    reports = [compare_gradients(net, X, Y, views, gb), compare_gradients(net, X, Y, lists, gb)]
    expected = str(compare_gradients(net, X, Y, gw, gb))
    for view, m in zip(views, lists):           # the caller reuses its buffers
        view[0, 0] = m[0][0] = 1e6
    net.gradients(*batch([4, 3, 2], 3, seed=8))  # and the network runs other passes
    for report in reports:                      # read for the first time only now
        assert report.max_abs_error == 0.25
        assert str(report) == expected


class Real(float):
    """A float subclass (as NumPy's float64 is): a number, but not a plain float."""


def _vector_or_error(values):
    try:
        return [v.hex() for v in validate.vector(values, len(values), "v")]
    except NodenetError as err:
        return str(err)


@pytest.mark.parametrize("values", [[1.0, -2.5], [1.0, 2], [1.0, True], [Real(1.0), 2.0],
                                    [1.0, math.inf], [1.0, math.nan], [1e308, 1e308], []])
def test_the_quick_checks_say_the_same_on_both_interpreters(monkeypatch, values):
    answers = []
    for pypy in (False, True):
        monkeypatch.setattr(validate, "PYPY", pypy)
        answers.append((validate.all_floats(values), validate.finite_floats(values),
                        _vector_or_error(values)))
    plain = [type(v) is float for v in values]
    assert answers[0][0] == answers[1][0] == all(plain)
    # True proves finite floats; on CPython a sum that overflows says False (look closer)
    assert answers[1][1] == (all(plain) and all(map(math.isfinite, values)))
    assert answers[0][1] <= answers[1][1]
    assert answers[0][2] == answers[1][2]


@pytest.mark.parametrize("planted_value", [0.25, math.nan, math.inf, 3])
def test_the_pypy_loops_give_the_same_reports(monkeypatch, planted_value):
    net = Network([5, 4, 3], activation="tanh", output_activation="sigmoid", loss="mse", seed=6)
    X, Y = batch([5, 4, 3], 2, seed=4)
    gw, gb = planted(net, X, Y)
    gw[0][1][2] = planted_value
    texts = []
    for pypy in (False, True):
        monkeypatch.setattr(validate, "PYPY", pypy)
        report = compare_gradients(net, X, Y, gw, gb)
        texts.append((str(report), report.mismatches))
        with pytest.raises(NodenetError, match=r"layer 1 weights\[1\]\[2\] must be a number, "
                                               r"got bool True"):
            compare_gradients(net, X, Y, [gw[0][:1] + [gw[0][1][:2] + [True] + gw[0][1][3:]]
                                          + gw[0][2:], gw[1]], gb)
    assert texts[0] == texts[1]
    assert len(texts[0][1]) == 3
