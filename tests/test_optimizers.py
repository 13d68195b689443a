"""nodenet.optimizers and nodenet.schedules by hand: each formula on small numbers,
the all-or-nothing step, the state, and the checks of the hyper-parameters."""

import math

import pytest

from nodenet import Network, NodenetError
from nodenet.optimizers import (SGD, Adagrad, Adam, AdamW, HandoutMomentum, RMSprop,
                                add_weight_decay, check_gradients)
from nodenet.schedules import (CosineAnnealingLR, ExponentialLR, InverseTimeLR, LinearLR,
                               StepLR, from_decay)


def one_weight(w=0.5, b=0.25, bias=True):
    """A single identity node with one weight (and a bias)."""
    return Network.from_matrices([[[w]]], [[b if bias else 0.0]], activations="identity",
                                 bias=bias)


def params(net):
    node = net.layers[0][0]
    return node.weights + [node.bias]


# -- each algorithm, one or two steps by hand -----------------------------------

def test_sgd_is_w_minus_lr_g():
    net = one_weight()
    SGD(lr=0.1).step(net, [[[2.0]]], [[-1.0]])
    assert params(net) == [0.5 - 0.1 * 2.0, 0.25 + 0.1]


def test_sgd_momentum_buffer_starts_at_g_then_mu_buf_plus_g():
    net, opt = one_weight(), SGD(lr=0.1, momentum=0.9)
    opt.step(net, [[[2.0]]], [[1.0]])                 # buf = g = (2, 1)
    assert opt.state[0][0] == ([2.0, 1.0],)
    assert params(net) == [0.5 - 0.2, 0.25 - 0.1]
    opt.step(net, [[[1.0]]], [[0.0]])                 # buf = 0.9·(2, 1) + (1, 0) = (2.8, 0.9)
    assert opt.state[0][0][0] == pytest.approx([2.8, 0.9], rel=1e-15)
    assert params(net) == pytest.approx([0.3 - 0.28, 0.15 - 0.09], rel=1e-15)
    assert opt.steps == 2


def test_sgd_dampening_and_nesterov():
    net, opt = one_weight(), SGD(lr=0.1, momentum=0.5, dampening=0.5)
    opt.step(net, [[[2.0]]], [[0.0]])                  # first step: buf = g, undamped
    opt.step(net, [[[2.0]]], [[0.0]])                  # buf = 0.5·2 + 0.5·2 = 2
    assert opt.state[0][0][0][0] == 2.0
    assert params(net)[0] == pytest.approx(0.5 - 0.2 - 0.2, rel=1e-15)
    net, opt = one_weight(), SGD(lr=0.1, momentum=0.5, nesterov=True)
    opt.step(net, [[[2.0]]], [[0.0]])                  # d = g + μ·buf = 2 + 1
    assert params(net)[0] == pytest.approx(0.5 - 0.3, rel=1e-15)


def test_weight_decay_reaches_the_bias_only_when_asked():
    # g + λ·w: (2 + 0.1·0.5, 1 + 0.1·0.25) with decayed biases, (2.05, 1) without
    for decay_biases, bias_grad in ((True, 1.0 + 0.1 * 0.25), (False, 1.0)):
        net = one_weight()
        SGD(lr=1.0, weight_decay=0.1, decay_biases=decay_biases).step(net, [[[2.0]]], [[1.0]])
        assert params(net) == [0.5 - (2.0 + 0.1 * 0.5), 0.25 - bias_grad]
    assert add_weight_decay([1.0, 2.0], [10.0, 20.0], [0.5, 0.0]) == [6.0, 2.0]


def test_a_layer_without_biases_has_no_bias_parameter():
    net = one_weight(bias=False)
    opt = Adam(lr=0.1, weight_decay=0.5)
    opt.step(net, [[[2.0]]], [[5.0]])
    assert net.layers[0][0].bias == 0.0
    m, v = opt.state[0][0]                            # g + λw = 2 + 0.5·0.5 = 2.25
    assert m == pytest.approx([0.1 * 2.25], rel=1e-15)
    assert v == pytest.approx([0.001 * 2.25 ** 2], rel=1e-12)


def test_handout_momentum_keeps_eta_in_the_velocity():
    net, opt = one_weight(), HandoutMomentum(lr=0.1, momentum=0.9)
    opt.step(net, [[[2.0]]], [[0.0]])                  # v = −0.2
    opt.step(net, [[[2.0]]], [[0.0]], lr=0.01)         # v = 0.9·(−0.2) − 0.01·2 = −0.2
    assert opt.state[0][0][0][0] == pytest.approx(-0.2, rel=1e-15)
    assert params(net)[0] == pytest.approx(0.1, rel=1e-15)
    # PyTorch's form scales its whole buffer by the new η: buf = 0.9·2 + 2 = 3.8, step 0.038
    net, opt = one_weight(), SGD(lr=0.1, momentum=0.9)
    opt.step(net, [[[2.0]]], [[0.0]])
    opt.step(net, [[[2.0]]], [[0.0]], lr=0.01)
    assert params(net)[0] == pytest.approx(0.5 - 0.2 - 0.038, rel=1e-15)


def test_adam_one_step_by_hand():
    # m = 0.1·2 = 0.2, v = 0.001·4 = 0.004, m̂ = 2, v̂ = 4, Δw = −0.1·2/(2 + 1e-8)
    net, opt = one_weight(), Adam(lr=0.1)
    opt.step(net, [[[2.0]]], [[-0.5]])
    m, v = opt.state[0][0]
    assert m == pytest.approx([0.2, -0.05], rel=1e-15)
    assert v == pytest.approx([0.004, 0.00025], rel=1e-12)
    assert params(net) == pytest.approx([0.5 - 0.1 * 2 / (2 + 1e-8),
                                         0.25 + 0.1 * 0.5 / (0.5 + 1e-8)], rel=1e-15)


def test_adam_second_step_uses_both_bias_corrections():
    net, opt = one_weight(), Adam(lr=0.1, betas=(0.5, 0.75), eps=0.0)
    opt.step(net, [[[2.0]]], [[1.0]])
    opt.step(net, [[[4.0]]], [[1.0]])
    m = 0.5 * (0.5 * 2.0) + 0.5 * 4.0                  # 2.5
    v = 0.75 * (0.25 * 4.0) + 0.25 * 16.0              # 4.75
    m_hat, v_hat = m / (1 - 0.5 ** 2), v / (1 - 0.75 ** 2)
    assert params(net)[0] == pytest.approx(0.5 - 0.1 - 0.1 * m_hat / math.sqrt(v_hat), rel=1e-14)


def test_amsgrad_keeps_the_largest_second_moment():
    net, opt = one_weight(), Adam(lr=0.1, betas=(0.0, 0.5), amsgrad=True)
    opt.step(net, [[[4.0]]], [[0.0]])                  # v = 8
    opt.step(net, [[[0.0]]], [[0.0]])                  # v = 4, v_max stays 8
    assert opt.state[0][0][1][0] == 4.0 and opt.state[0][0][2][0] == 8.0


def test_adamw_shrinks_the_weights_before_the_adam_step():
    plain, decayed = one_weight(), one_weight()
    Adam(lr=0.1).step(plain, [[[2.0]]], [[0.0]])
    AdamW(lr=0.1, weight_decay=0.5).step(decayed, [[[2.0]]], [[0.0]])
    assert params(decayed)[0] == pytest.approx(params(plain)[0] - 0.1 * 0.5 * 0.5, rel=1e-15)
    assert params(decayed)[1] == pytest.approx(0.25 * (1 - 0.05), rel=1e-15)
    assert AdamW().weight_decay == 0.01


def test_rmsprop_plain_centered_and_momentum():
    net, opt = one_weight(), RMSprop(lr=0.1, alpha=0.5, eps=0.0)
    opt.step(net, [[[2.0]]], [[1.0]])                  # v = 2, w −= 0.1·2/√2
    assert params(net)[0] == pytest.approx(0.5 - 0.2 / math.sqrt(2.0), rel=1e-15)
    net, opt = one_weight(), RMSprop(lr=0.1, alpha=0.5, eps=0.0, centered=True, momentum=0.5)
    opt.step(net, [[[2.0]]], [[1.0]])                  # v = 2, m = 1, √(v − m²) = 1, buf = 2
    assert opt.state[0][0][2][0] == 2.0
    opt.step(net, [[[2.0]]], [[1.0]])                  # v = 3, m = 1.5, √0.75, buf = 1 + 2/√0.75
    assert params(net)[0] == pytest.approx(0.5 - 0.2 - 0.1 * (1 + 2 / math.sqrt(0.75)),
                                           rel=1e-14)


def test_adagrad_sum_and_its_own_lr_decay():
    net, opt = one_weight(), Adagrad(lr=0.1, lr_decay=1.0, initial_accumulator_value=5.0, eps=0.0)
    opt.step(net, [[[2.0]]], [[0.0]])                  # G = 9, w −= 0.1·2/3
    opt.step(net, [[[4.0]]], [[0.0]])                  # G = 25, η_2 = 0.1/2, w −= 0.05·4/5
    assert opt.state[0][0][0][0] == 25.0
    assert params(net)[0] == pytest.approx(0.5 - 0.2 / 3 - 0.04, rel=1e-15)


# -- all or nothing -------------------------------------------------------------------

def two_nodes():
    return Network.from_matrices([[[1.7e308, -1.7e308], [1.0, 2.0]]], [[0.0, 0.0]],
                                 activations="identity")


def test_an_overflowing_value_is_found_even_when_a_sum_would_cancel():
    # w + Δw: 1.7e308 + 5e307 overflows, though Σw + ΣΔw = 0 + 1e308 is finite
    net = two_nodes()
    before = net.snapshot()
    with pytest.raises(NodenetError, match="layer 1 node 0 weight 0 would become inf"):
        SGD(lr=1.0).step(net, [[[-5e307, -5e307], [1.0, 1.0]]], [[0.0, 0.0]])
    assert net.snapshot() == before


@pytest.mark.parametrize("make", [lambda: SGD(lr=1.0, momentum=0.5),
                                  lambda: HandoutMomentum(lr=1.0, momentum=0.5),
                                  lambda: Adam(lr=1e307), lambda: AdamW(lr=1e307, weight_decay=0.0),
                                  lambda: RMSprop(lr=1e307), lambda: Adagrad(lr=1e308)])
def test_a_refused_step_changes_no_weight_and_no_state(make):
    net, opt = two_nodes(), make()
    opt.step(net, [[[0.0, 0.0], [1.0, 1.0]]], [[0.0, 0.0]])       # one good step first
    weights, state, steps = net.snapshot(), opt.snapshot(), opt.steps
    with pytest.raises(NodenetError, match=r"step 2 was refused: layer 1 node 0 weight 0"):
        opt.step(net, [[[-5e307, 0.0], [1.0, 1.0]]], [[0.0, 0.0]])
    assert net.snapshot() == weights and opt.snapshot()[:2] == state[:2] and opt.steps == steps


def test_a_state_that_would_overflow_is_refused():
    # g² = 1e400: Adam's v would be inf (and its step 0): refused, not silently stalled
    net, opt = one_weight(), Adam(lr=0.1)
    with pytest.raises(NodenetError, match="layer 1 node 0 weight 0: the optimizer's v would "
                                           "become inf"):
        opt.step(net, [[[1e200]]], [[0.0]])
    assert opt.state is None and opt.steps == 0 and params(net) == [0.5, 0.25]


def test_zero_over_zero_is_nan_and_refused_not_a_zero_division():
    net, opt = one_weight(), RMSprop(lr=0.1, eps=0.0)
    with pytest.raises(NodenetError, match="weight 0 would become nan"):
        opt.step(net, [[[0.0]]], [[1.0]])


def test_propose_changes_nothing_and_a_stale_proposal_is_refused():
    net, opt = one_weight(), Adam(lr=0.1)
    proposal = opt.propose(net, [[[2.0]]], [[0.0]], explain=True)
    assert params(net) == [0.5, 0.25] and opt.state is None
    assert proposal.columns[0][0]["m_hat"] == pytest.approx([2.0, 0.0])
    opt.commit(proposal)
    with pytest.raises(NodenetError, match="proposal is for step 1, but the optimizer is at "
                                           "step 1"):
        opt.commit(proposal)


def test_an_optimizer_belongs_to_one_network():
    a, b = one_weight(), one_weight()
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(a, [[[1.0]]], [[1.0]])
    with pytest.raises(NodenetError, match="already holds the state of another network"):
        opt.step(b, [[[1.0]]], [[1.0]])
    with pytest.raises(NodenetError, match="already holds the state of another network"):
        b.train([[1.0]], [[0.0]], 1, optimizer=opt)
    twin = opt.clone()
    assert twin.steps == 0 and twin.state is None and repr(twin) == repr(opt)
    twin.step(b, [[[1.0]]], [[1.0]])
    assert params(b) == params(a)
    opt.reset()
    opt.step(b, [[[1.0]]], [[1.0]])


def test_snapshot_and_restore_the_state():
    net, opt = one_weight(), Adam(lr=0.1)
    opt.step(net, [[[1.0]]], [[1.0]])
    saved = opt.snapshot()
    opt.step(net, [[[2.0]]], [[2.0]])
    opt.restore(saved)
    assert opt.steps == 1 and opt.state[0][0][0] == pytest.approx([0.1, 0.1])


# -- checks ---------------------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda: SGD(lr=0), r"lr must be in \(0, ∞\), got 0.0"),
    (lambda: SGD(lr=float("nan")), "lr must be finite, got nan"),
    (lambda: SGD(lr="0.1"), "lr must be a number, got str '0.1'"),
    (lambda: SGD(lr=0.1, momentum=1.0), r"momentum must be in \[0, 1\), got 1.0"),
    (lambda: SGD(lr=0.1, nesterov=True), "nesterov=True needs momentum > 0 and dampening = 0"),
    (lambda: SGD(lr=0.1, weight_decay=-1), r"weight_decay must be in \[0, ∞\)"),
    (lambda: SGD(lr=0.1, decay_biases=1), "decay_biases must be True or False, got 1"),
    (lambda: Adam(betas=(0.9,)), r"betas must be a pair \(β1, β2\), got \(0.9,\)"),
    (lambda: Adam(betas=(0.9, 1.0)), r"betas\[1\] must be in \[0, 1\), got 1.0"),
    (lambda: Adam(eps=-1e-8), r"eps must be in \[0, ∞\)"),
    (lambda: Adam(amsgrad="yes"), "amsgrad must be True or False"),
    (lambda: RMSprop(alpha=1.0), r"alpha must be in \[0, 1\)"),
    (lambda: Adagrad(lr_decay=-0.1), r"lr_decay must be in \[0, ∞\)"),
    (lambda: HandoutMomentum(0.1, momentum=-0.5), r"momentum must be in \[0, 1\)"),
    (lambda: StepLR(0), "step_size must be at least 1, got 0"),
    (lambda: StepLR(2, gamma=0), r"gamma must be in \(0, ∞\)"),
    (lambda: ExponentialLR(float("inf")), "gamma must be finite"),
    (lambda: CosineAnnealingLR(5, eta_min=-1), r"eta_min must be in \[0, ∞\)"),
    (lambda: LinearLR(start_factor=0), r"start_factor must be in \(0, 1\]"),
    (lambda: LinearLR(end_factor=1.5), r"end_factor must be in \[0, 1\]"),
    (lambda: from_decay("exp", 0.5), "lr_decay must be None, 'step' or '1/t', got 'exp'"),
])
def test_bad_hyper_parameters_are_refused(make, message):
    with pytest.raises(NodenetError, match=message):
        make()


def test_step_checks_the_gradients_it_is_given():
    net, opt = one_weight(), SGD(lr=0.1)
    with pytest.raises(NodenetError, match=r"gw must list one entry per layer \(1\)"):
        opt.step(net, [], [[0.0]])
    with pytest.raises(NodenetError, match=r"gw\[0\]\[0\] expects 1 gradients, got 2"):
        opt.step(net, [[[1.0, 2.0]]], [[0.0]])
    with pytest.raises(NodenetError, match="must be finite, got nan"):
        opt.step(net, [[[float("nan")]]], [[0.0]])
    with pytest.raises(NodenetError, match=r"lr must be in \[0, ∞\)"):
        opt.step(net, [[[1.0]]], [[0.0]], lr=-1.0)
    assert params(net) == [0.5, 0.25]
    assert check_gradients(net, (((1,),),), [(2,)]) == ([[[1.0]]], [[2.0]])


def test_reprs_are_short_and_complete():
    assert repr(SGD(0.1, momentum=0.9)) == ("SGD(lr=0.1, momentum=0.9, dampening=0.0, "
                                           "nesterov=False, weight_decay=0.0, decay_biases=True)")
    assert repr(Adam()) == ("Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, "
                            "amsgrad=False, decay_biases=True)")
    assert repr(StepLR(2, 0.5)) == "StepLR(step_size=2, gamma=0.5)"


# -- schedules by hand ------------------------------------------------------------------

def test_schedules_by_hand():
    assert StepLR(2, gamma=0.5).rates(1.0, 5) == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert ExponentialLR(0.5).rates(2.0, 4) == [2.0, 1.0, 0.5, 0.25]
    assert InverseTimeLR(1.0).rates(1.0, 4) == [1.0, 0.5, 1 / 3, 0.25]
    closed = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(9)]
    assert CosineAnnealingLR(4, eta_min=0.1).rates(1.0, 9) == pytest.approx(closed, rel=1e-14)
    closed = [0.4 * (0.5 + 0.5 * min(t, 4) / 4) for t in range(7)]
    assert LinearLR(0.5, 1.0, total_iters=4).rates(0.4, 7) == pytest.approx(closed, rel=1e-14)
