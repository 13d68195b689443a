"""Likely causes of a gradient mismatch, said only when the numbers show them.

Each hint is a claim the numbers back: a factor shared by every entry
(entries nodenet has at 0 included, so a pattern in part of them is not
taken for the whole); a layer whose biases agree — then its deltas are
right and only the outer product δ·aᵀ can be wrong; or, for the layer
nearest the output that differs, a familiar bug whose exact numbers
nodenet computes (nodenet.oracle.variants) and finds equal to the
caller's.  Where nothing is certain, the hint says where to look, not
what is wrong.
"""

from collections import namedtuple
from math import log10

from . import tolerance, variants
from ..build import transpose

Case = namedtuple("Case", "net X Y masks layout rtol atol summaries exp_w exp_b got_w got_b")


def likely_causes(case):
    """The hint lines for a comparison that found mismatches."""
    L = len(case.net.layers)
    pairs = [layer_pairs(case.exp_w, case.exp_b, case.got_w, case.got_b, l)
             for l in range(1, L + 1)]
    ratio = common_ratio([p for ps in pairs for p in ps], case.rtol, case.atol,
                         named_factors(case))
    if ratio is not None:
        return [ratio_hint("every gradient", ratio, case)]
    bad = [s.layer for s in case.summaries if not s.ok]        # output layer first
    flipped = [l for l in bad if _transposed(case, l)]
    if len(flipped) == L and all(len(w) == len(w[0]) for w in case.exp_w):
        other = "in_out" if case.layout == "out_in" else "out_in"
        return [f"every layer's weights match nodenet's transposed — did you mean "
                f"layout={other!r}?"]
    hints, explained = [], set()
    for l in bad:
        text = _layer_hint(case, l, pairs[l - 1], l == bad[0])
        if text:
            hints.append(text)
            explained.add(l)
    top = bad[0]
    if top not in explained:
        text = known_bug(case, top)
        if text:
            hints.append(text)
            explained.add(top)
    if len(bad) > 1 and top == L and top not in explained:
        hints.append(f"start with layer {top}: backprop runs from the output down, so the "
                     f"layers below inherit an error in its deltas")
    elif top < L:
        span = f"layer {L} matches" if L - top == 1 else f"layers {top + 1}–{L} match"
        text = f"{span}, so the error enters at layer {top}"
        if top not in explained:
            text += (": check how the deltas reach it (the weights used, its activation's "
                     "derivative)")
        hints.append(text)
    return hints


def layer_pairs(exp_w, exp_b, got_w, got_b, l, weights=True, biases=True):
    """(expected, got) for every compared entry of layer l (1-based)."""
    pairs = []
    if weights:
        pairs += [(e, g) for er, gr in zip(exp_w[l - 1], got_w[l - 1]) for e, g in zip(er, gr)]
    if biases and got_b is not None and got_b[l - 1] is not None:
        pairs += list(zip(exp_b[l - 1], got_b[l - 1]))
    return pairs


def common_ratio(pairs, rtol, atol, named=()):
    """r if got ≈ r·expected for every pair — entries expected at 0 must be ≈ 0 too —
    and r is not ≈ 1 or 0; else None.  One clear entry alone shows no pattern, unless
    r is one of the ``named`` factors (−1, N, 1/N, …), too exact to be chance."""
    if not pairs:
        return None
    e0, g0 = max(pairs, key=lambda p: abs(p[0]))
    if not abs(e0) > 0.0 or g0 != g0 or abs(g0) == float("inf"):
        return None
    r = g0 / e0
    slack = _slack(rtol)
    if abs(r - 1.0) <= slack or r == 0.0:
        return None
    bound = slack * abs(r * e0) + atol
    if not all(abs(g - r * e) <= bound for e, g in pairs):
        return None
    clear = sum(abs(e) > slack * abs(e0) for e, _ in pairs)
    if clear < 2 and not any(_near(r, f, rtol) for f in named):
        return None
    return r


def named_factors(case):
    """The factors a hint can name: −1, N, K, N·K, 2 and their inverses."""
    n, k = len(case.X), len(case.net.layers[-1])
    factors = {-1.0, 2.0, float(n), float(k), float(n * k)}
    return factors | {1.0 / f for f in factors}


def _slack(rtol):
    """How far a ratio may stray and still count: the client's own rounding, about
    rtol (never below 1e-6)."""
    return max(1e-6, rtol)


def _near(x, target, rtol):
    return abs(x - target) <= _slack(rtol) * abs(target)


def _times(ratio, rtol):
    """"1.5×": the ratio to the digits the client's precision can tell (2 at least)."""
    digits = max(2, min(6, round(-log10(_slack(rtol)))))
    return f"{ratio:.{digits}g}×"


def _factor(ratio, factor, rtol):
    """"4×" or "0.25×" if ``ratio`` is ``factor`` or its inverse, else None."""
    if _near(ratio, factor, rtol):
        return f"{factor:g}×"
    if _near(ratio * factor, 1.0, rtol):
        return f"{1.0 / factor:.6g}×"
    return None


def ratio_hint(what, ratio, case):
    """Name a shared factor: −1 (the sign), N, K or N·K (a mean), 2 (a ½), or any."""
    loss = case.net.loss_function
    n, k = len(case.X), len(case.net.layers[-1])
    verb = "are" if what.endswith("s") else "is"
    if _near(ratio, -1.0, case.rtol):
        verb = "have" if what.endswith("s") else "has"
        return (f"{what} {verb} the opposite sign: nodenet reports ∂L/∂w (PyTorch's .grad); "
                f"(y − ŷ)-style errors give −∂L/∂w, and the update is w −= η·∂L/∂w")
    how = "sums" if loss.reduction == "sum" else "averages"
    times = _factor(ratio, n, case.rtol) if n > 1 else None
    if times:
        return (f"{what} {verb} {times} nodenet's, a factor of N = {n} samples: nodenet's "
                f"{loss.name} loss {how} over samples ({loss.formula})")
    if k > 1 and loss.divides_by_k:
        for factor, name in ((k, f"K = {k} outputs"), (n * k, f"N·K = {n * k} entries")):
            times = _factor(ratio, factor, case.rtol)
            if times:
                return (f"{what} {verb} {times} nodenet's, a factor of {name}: nodenet's "
                        f"{loss.name} averages over all N·K entries ({loss.formula})")
    times = _factor(ratio, 2.0, case.rtol)
    if times:
        return (f"{what} {verb} {times} nodenet's, a factor of 2: check the loss's ½ "
                f"(nodenet's {loss.name}: {loss.formula}; half_sse is ½·Σ (y − ŷ)²)")
    return (f"{what} {verb} {_times(ratio, case.rtol)} nodenet's: check the loss's "
            f"normalization (nodenet's {loss.name}: {loss.formula})")


def _all_match(pairs, case):
    return all(tolerance.close(e, g, case.rtol, case.atol) for e, g in pairs)


def _telling(pairs, case):
    """True if some expected entry is clearly not 0, so that agreeing means something."""
    return any(abs(e) > 2.0 * case.atol for e, _ in pairs)


def _transposed(case, l):
    """True if layer l's square weight matrix differs but matches nodenet's transposed."""
    w, got = case.exp_w[l - 1], case.got_w[l - 1]
    if len(w) != len(w[0]):
        return False
    flat = [(e, g) for er, gr in zip(w, got) for e, g in zip(er, gr)]
    turned = [(e, g) for er, gr in zip(transpose(w), got) for e, g in zip(er, gr)]
    return not _all_match(flat, case) and _all_match(turned, case)


def _layer_hint(case, l, pairs, top):
    """What layer l's own numbers show, or None: bias gradients missing or scaled while
    the weights agree, a transposed dW or a wrong outer product while the biases agree,
    and — for the ``top`` differing layer only, since the layers below it inherit its
    deltas — a factor shared by the layer."""
    net, n = case.net, len(case.X)
    named = named_factors(case)
    got_b = None if case.got_b is None else case.got_b[l - 1]
    weights = layer_pairs(case.exp_w, case.exp_b, case.got_w, case.got_b, l, biases=False)
    biases = pairs[len(weights):]
    # an agreement tells only where nodenet's entries are not all ≈ 0 (a zero input
    # makes every weight gradient 0, right or wrong deltas alike)
    weights_ok = _all_match(weights, case) and _telling(weights, case)
    biases_ok = _all_match(biases, case) and _telling(biases, case)
    if got_b is not None and weights_ok:
        if all(g == 0.0 for g in got_b):
            return (f"layer {l}: the biases' gradients are all 0 while the weights agree — is "
                    f"the bias gradient (Σ over samples of ∂L/∂z) computed?")
        r = common_ratio(biases, case.rtol, case.atol, named)
        loss = net.loss_function
        if r is not None and n > 1 and _near(r * n, 1.0, case.rtol):
            return (f"layer {l}: the weights match but the biases are 1/{n} of nodenet's: the "
                    f"bias gradient is divided by N = {n} once too often (db is the sum over "
                    f"the samples of ∂L/∂z, which already carries the loss's normalization)")
        if r is not None and n > 1 and _near(r, n, case.rtol) and loss.reduction == "mean":
            return (f"layer {l}: the weights match but the biases are {n}× nodenet's: the bias "
                    f"gradient misses the 1/N = 1/{n} of the mean loss that the weights have")
        if r is not None:
            return ratio_hint(f"layer {l}'s biases", r, case)
        return (f"layer {l}: the weights match but the biases do not, so the deltas are right "
                f"and the bias gradient is not: it must be the sum over the samples of ∂L/∂z")
    if got_b is not None and biases_ok and not weights_ok:
        right = "right" if n == 1 else "right (their sums over the samples)"
        if _transposed(case, l):
            code = "dZᵀ·A" if case.layout == "out_in" else "Aᵀ·dZ"
            return (f"layer {l}: the biases match, so its deltas are {right}, but the weights "
                    f"match nodenet's transposed: the outer product is the wrong way round "
                    f"(in the {case.layout} layout dW = {code}, with dZ = ∂L/∂z and A the "
                    f"activations feeding layer {l})")
        r = common_ratio(weights, case.rtol, case.atol, named)
        if r is not None:
            return ratio_hint(f"layer {l}'s weights", r, case)
        feeding = "the inputs" if l == 1 else f"layer {l - 1}'s outputs a, not its net inputs z"
        return (f"layer {l}: the biases match, so its deltas are {right} and the outer product "
                f"δ·aᵀ is not: check the activations it uses ({feeding})")
    if got_b is None and _transposed(case, l):
        other = "in_out" if case.layout == "out_in" else "out_in"
        return (f"layer {l}: the weights match nodenet's transposed — the outer product is the "
                f"wrong way round, or the layout is {other!r} (biases not compared, so which "
                f"one cannot be told)")
    if not top:
        return None
    for what, part in ((f"layer {l}", pairs), (f"layer {l}'s weights", weights),
                       (f"layer {l}'s biases", biases)):
        r = common_ratio(part, case.rtol, case.atol, named)
        if r is not None:
            return ratio_hint(what, r, case)
    return None


def _candidates(case, t):
    """The changes worth trying at layer t, most specific first."""
    net = case.net
    layers = net.layers
    L = len(layers)
    layer = layers[t - 1]
    loss = net.loss_function
    out = []
    if t == L and not loss.fused_with(layer.activation):
        out.append("fused_output")
    if layer.activation.name in variants.WRITTEN_IN_A:
        out.append("derivative_of_z")
        if any(below.activation.name in variants.WRITTEN_IN_A for below in layers[:t - 1]):
            out.append("derivative_of_z_below")
    if case.masks is not None and case.masks[t - 1] is not None:
        out.append("unmasked_backward")
    if t < L and layers[t].n_inputs == len(layers[t]):
        out.append("transposed_weights")
    if layer.activation.elementwise:
        out += [("wrong_layer", s) for s in (t - 1, t + 1)
                if 1 <= s <= L and len(layers[s - 1]) == len(layer)]
    return out


def known_bug(case, t):
    """A hint naming the familiar bug whose exact gradients equal the caller's in
    layers 1…t (t: the differing layer nearest the output), or None."""
    for kind in _candidates(case, t):
        change = (kind, t)
        result = variants.gradients(case.net, case.X, case.Y, case.masks, change)
        if result is None:
            continue
        var_w, var_b = result
        against_exact = [p for l in range(1, t + 1) for p in
                         layer_pairs(case.exp_w, case.exp_b, var_w, var_b, l)]
        if _all_match(against_exact, case) or \
                common_ratio(against_exact, case.rtol, case.atol, named_factors(case)) \
                is not None:
            continue            # this change does not alter the numbers in a telling way
        against_got = [p for l in range(1, t + 1) for p in
                       layer_pairs(var_w, var_b, case.got_w, case.got_b, l)]
        if _all_match(against_got, case):
            return _describe(case, kind, t, 1.0)
        if kind == "fused_output":
            r = common_ratio(against_got, case.rtol, case.atol, named_factors(case))
            if r is not None:
                return _describe(case, kind, t, r)
    return None


def _and(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _describe(case, kind, t, ratio):
    layer = case.net.layers[t - 1]
    act = layer.activation.name
    if kind == "fused_output":
        loss = case.net.loss_function
        how = "exactly what" if ratio == 1.0 else f"{_times(ratio, case.rtol)} what"
        jac = " (softmax: through its Jacobian)" if act == "softmax" else ""
        return (f"layer {t}'s gradients are {how} the fused output δ = y − a gives: that "
                f"shortcut holds only where the loss and the output activation are made for "
                f"each other (sigmoid + bce, softmax + cross_entropy, the losses on logits); "
                f"with {act} + {loss.name} the output δ is the loss's derivative taken through "
                f"{act}'s derivative{jac}")
    if kind == "derivative_of_z":
        wrong = variants.WRITTEN_IN_A[act][0]
        right = wrong.replace("z", "a")
        return (f"layer {t}'s {act} derivative is evaluated at the net input z: written in the "
                f"output a it is {right}, and fed z it gives {wrong} — pass the activations a, "
                f"not z")
    if kind == "derivative_of_z_below":
        named = [(l, case.net.layers[l - 1].activation.name) for l in range(t, 0, -1)
                 if case.net.layers[l - 1].activation.name in variants.WRITTEN_IN_A]
        acts = sorted({a for _, a in named}, key=[a for _, a in named].index)
        ls = _and([str(l) for l, _ in named])
        if len(acts) == 1:
            wrong = variants.WRITTEN_IN_A[act][0]
            return (f"the {act} derivative of layers {ls} is evaluated at the net input z: "
                    f"written in the output a it is {wrong.replace('z', 'a')}, and fed z it "
                    f"gives {wrong} — pass the activations a, not z")
        which = _and([f"{l} ({a})" for l, a in named])
        forms = ", ".join(f"{a}′ = {variants.WRITTEN_IN_A[a][0].replace('z', 'a')}"
                          for a in acts)
        return (f"the derivatives of layers {which} are evaluated at the net inputs z: each is "
                f"written in the output a ({forms}) — pass the activations a, not z")
    if kind == "unmasked_backward":
        return (f"layer {t}'s dropout mask is applied in the forward pass but not in backward: "
                f"δ_j must be f′(z_j)·e_j·m_j with the same mask m (0 or 1/(1 − p)) as forward")
    if kind == "transposed_weights":
        right, wrong = ("dZ @ W", "dZ @ W.T") if case.layout == "out_in" else \
            ("dZ @ W.T", "dZ @ W")
        return (f"layer {t}'s deltas come through layer {t + 1}'s weight matrix transposed: "
                f"e_j = Σ_k w_kj·δ_k sums down column j (in your {case.layout} layout "
                f"dA = {right}, not {wrong})")
    s = kind[1]
    return (f"layer {t}'s activation derivative is evaluated at layer {s}'s values: f′ must "
            f"use layer {t}'s own net inputs z and outputs a")
