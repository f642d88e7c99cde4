"""Optimizers: each step against Keras 3's formulas worked out in NumPy, clipping, schedules."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import optimizers
from tinygrad_edu.nn.optimizers import schedules

STEPS = 5
RNG = np.random.default_rng(0)
START = [RNG.standard_normal((3, 4)), RNG.standard_normal(4)]
# A different gradient for every step and parameter, some large, to exercise clipping.
GRADIENTS = [
    [RNG.standard_normal(p.shape) * (1 + 3 * step) for p in START] for step in range(STEPS)
]


def run(optimizer_class, dtype=np.float64, **settings):
    """Take STEPS steps with the fixed gradients; return the parameter values after each."""
    params = [Tensor(p.astype(dtype), requires_grad=True) for p in START]
    optimizer = optimizer_class(params, **settings)
    history = []
    for step in range(STEPS):
        optimizer.zero_grad()
        for param, gradient in zip(params, GRADIENTS[step]):
            param.grad = Tensor(gradient.astype(dtype))
        optimizer.step()
        history.append([p.data.copy() for p in params])
    return history, optimizer


# ---------------------------------------------------------------- reference formulas (Keras 3)
def reference(update, state_names, clip=lambda gs: gs, lr=lambda step: 0.01):
    """Apply `update(p, g, state, lr, step)` per parameter, as Keras does, for STEPS steps."""
    params = [p.copy() for p in START]
    states = [{name: np.zeros_like(p) for name in state_names} for p in params]
    history = []
    for step in range(STEPS):
        gradients = clip(GRADIENTS[step])
        for i, (gradient, state) in enumerate(zip(gradients, states)):
            params[i] = update(params[i], gradient, state, lr(step), step)
        history.append([p.copy() for p in params])
    return history


def sgd(momentum=0.0, nesterov=False):
    def update(p, g, state, lr, step):
        if momentum == 0:
            return p - lr * g
        state["m"] = momentum * state["m"] - lr * g
        return p + momentum * state["m"] - lr * g if nesterov else p + state["m"]

    return update, ["m"]


def rmsprop(rho=0.9, momentum=0.0, epsilon=1e-7):
    def update(p, g, state, lr, step):
        state["v"] = rho * state["v"] + (1 - rho) * g**2
        increment = lr * g / np.sqrt(state["v"] + epsilon)
        if momentum == 0:
            return p - increment
        state["m"] = momentum * state["m"] + increment
        return p - state["m"]

    return update, ["v", "m"]


def adam(beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def update(p, g, state, lr, step):
        t = step + 1
        alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        state["m"] = state["m"] + (g - state["m"]) * (1 - beta_1)
        state["v"] = state["v"] + (g**2 - state["v"]) * (1 - beta_2)
        return p - alpha * state["m"] / (np.sqrt(state["v"]) + epsilon)

    return update, ["m", "v"]


def adamw(weight_decay=0.004, **adam_settings):
    adam_update, names = adam(**adam_settings)

    def update(p, g, state, lr, step):
        return adam_update(p - lr * weight_decay * p, g, state, lr, step)

    return update, names


def adagrad(initial_accumulator_value=0.1, epsilon=1e-7):
    def update(p, g, state, lr, step):
        if step == 0:
            state["a"] = state["a"] + initial_accumulator_value
        state["a"] = state["a"] + g**2
        return p - lr * g / np.sqrt(state["a"] + epsilon)

    return update, ["a"]


def nadam(beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    def update(p, g, state, lr, step):
        t = step + 1
        u = [beta_1 * (1 - 0.5 * 0.96**s) for s in range(1, t + 2)]  # u_1 .. u_(t+1)
        u_product = math.prod(u[:t])
        state["m"] = state["m"] + (g - state["m"]) * (1 - beta_1)
        state["v"] = state["v"] + (g**2 - state["v"]) * (1 - beta_2)
        m_hat = u[t] * state["m"] / (1 - u_product * u[t]) + (1 - u[t - 1]) * g / (1 - u_product)
        v_hat = state["v"] / (1 - beta_2**t)
        return p - lr * m_hat / (np.sqrt(v_hat) + epsilon)

    return update, ["m", "v"]


def assert_same_history(got, expected, rtol=1e-12):
    for step, (got_params, expected_params) in enumerate(zip(got, expected)):
        for index, (g, e) in enumerate(zip(got_params, expected_params)):
            np.testing.assert_allclose(g, e, rtol=rtol, atol=1e-14, err_msg=f"step {step} p{index}")


CASES = [
    (optimizers.SGD, {"learning_rate": 0.01}, sgd()),
    (optimizers.SGD, {"learning_rate": 0.05, "momentum": 0.9}, sgd(0.9)),
    (optimizers.SGD, {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}, sgd(0.8, True)),
    (optimizers.RMSprop, {"learning_rate": 0.01}, rmsprop()),
    (optimizers.RMSprop, {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}, rmsprop(0.8, 0.5)),
    (optimizers.RMSprop, {"learning_rate": 0.01, "epsilon": 0.5}, rmsprop(epsilon=0.5)),
    (optimizers.Adam, {"learning_rate": 0.01}, adam()),
    (optimizers.Adam, {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9}, adam(0.5, 0.9)),
    (optimizers.AdamW, {"learning_rate": 0.01}, adamw()),
    (
        optimizers.AdamW,
        {"learning_rate": 0.05, "weight_decay": 0.5, "beta_1": 0.5},
        adamw(0.5, beta_1=0.5),
    ),
    (optimizers.Adagrad, {"learning_rate": 0.01}, adagrad()),
    (optimizers.Adagrad, {"learning_rate": 0.1, "initial_accumulator_value": 0.0}, adagrad(0.0)),
    (optimizers.Nadam, {"learning_rate": 0.01}, nadam()),
    (optimizers.Nadam, {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9}, nadam(0.5, 0.9)),
]


@pytest.mark.parametrize("optimizer_class, settings, rule", CASES)
def test_steps_follow_the_keras_formulas(optimizer_class, settings, rule) -> None:
    got, optimizer = run(optimizer_class, **settings)
    lr = settings["learning_rate"]
    assert_same_history(got, reference(*rule, lr=lambda step: lr))
    assert optimizer.iterations == STEPS


@pytest.mark.parametrize("optimizer_class, settings, rule", CASES)
def test_float32_stays_float32_and_close_to_float64(optimizer_class, settings, rule) -> None:
    got, optimizer = run(optimizer_class, dtype=np.float32, **settings)
    for params in got:
        assert all(p.dtype == np.float32 for p in params)
    assert all(a.dtype == np.float32 for state in optimizer.state for a in state.values())
    lr = settings["learning_rate"]
    assert_same_history(got, reference(*rule, lr=lambda step: lr), rtol=2e-5)


def test_default_hyperparameters_are_keras_defaults() -> None:
    assert optimizers.SGD().learning_rate == 0.01
    rms = optimizers.RMSprop()
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon) == (0.001, 0.9, 0.0, 1e-7)
    adam_ = optimizers.Adam()
    assert (adam_.learning_rate, adam_.beta_1, adam_.beta_2, adam_.epsilon) == (
        0.001,
        0.9,
        0.999,
        1e-7,
    )
    got, _ = run(optimizers.RMSprop)
    assert_same_history(got, reference(*rmsprop(), lr=lambda step: 0.001))


def test_adamw_adagrad_nadam_match_numbers_from_keras_3() -> None:
    # Recorded with Keras 3.x (JAX backend, float32): four apply_gradients calls with
    # lr 0.01 and default settings, from p0 with gradients gs below.
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((3,))
    gs = [rng.standard_normal(3) * (1 + s) for s in range(4)]
    keras_results = {
        optimizers.AdamW: [0.11579504609107971, -0.12312997877597809, 0.6460199952125549],
        optimizers.Adagrad: [0.12983986735343933, -0.1231040433049202, 0.6511080861091614],
        optimizers.Nadam: [0.12346266210079193, -0.12050699442625046, 0.6502863168716431],
    }
    for optimizer_class, expected in keras_results.items():
        param = Tensor(p0.copy(), requires_grad=True)
        optimizer = optimizer_class(0.01)
        for g in gs:
            optimizer.apply_gradients([(g, param)])
        np.testing.assert_allclose(param.data, expected, rtol=1e-5, err_msg=optimizer_class.name)


def test_new_optimizers_by_name_with_keras_defaults() -> None:
    adamw_ = optimizers.get("AdamW")
    assert type(adamw_) is optimizers.AdamW
    assert (adamw_.learning_rate, adamw_.weight_decay, adamw_.beta_1) == (0.001, 0.004, 0.9)
    adagrad_ = optimizers.get("adagrad")
    assert (adagrad_.learning_rate, adagrad_.initial_accumulator_value) == (0.001, 0.1)
    assert type(optimizers.get("nadam")) is optimizers.Nadam
    assert optimizers.AdamW.from_config(adamw_.get_config()).weight_decay == 0.004
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=-1.0)


# ---------------------------------------------------------------- clipping
def clip_by_norm(gradients, clipnorm):
    return [g * clipnorm / max(np.linalg.norm(g), clipnorm) for g in gradients]


def test_clipnorm_clips_each_gradient_to_that_norm() -> None:
    got, _ = run(optimizers.SGD, learning_rate=0.1, clipnorm=2.0)
    expected = reference(*sgd(), clip=lambda gs: clip_by_norm(gs, 2.0), lr=lambda step: 0.1)
    assert_same_history(got, expected)


def test_clipnorm_with_rmsprop_momentum() -> None:
    got, _ = run(optimizers.RMSprop, learning_rate=0.01, momentum=0.9, clipnorm=1.5)
    expected = reference(
        *rmsprop(momentum=0.9), clip=lambda gs: clip_by_norm(gs, 1.5), lr=lambda step: 0.01
    )
    assert_same_history(got, expected)


def test_global_clipnorm_scales_all_gradients_together() -> None:
    def clip(gradients):
        total = math.sqrt(sum(np.sum(g * g) for g in gradients))
        return [g * 3.0 / max(total, 3.0) for g in gradients]

    got, _ = run(optimizers.Adam, learning_rate=0.01, global_clipnorm=3.0)
    assert_same_history(got, reference(*adam(), clip=clip, lr=lambda step: 0.01))


def test_clipvalue_clips_each_entry() -> None:
    got, _ = run(optimizers.SGD, learning_rate=0.1, momentum=0.5, clipvalue=0.7)
    expected = reference(
        *sgd(0.5), clip=lambda gs: [np.clip(g, -0.7, 0.7) for g in gs], lr=lambda step: 0.1
    )
    assert_same_history(got, expected)


def test_clipping_never_changes_param_grad() -> None:
    param = Tensor(np.zeros(3), requires_grad=True)
    gradient = np.array([30.0, -40.0, 0.0])
    param.grad = Tensor(gradient.copy())
    for setting in ({"clipnorm": 1.0}, {"clipvalue": 0.5}, {"global_clipnorm": 1.0}):
        optimizers.SGD([param], learning_rate=1.0, **setting).step()
        np.testing.assert_array_equal(param.grad.data, gradient)
    optimizer = optimizers.SGD([param], learning_rate=1.0, clipnorm=5.0)
    before = param.data.copy()
    optimizer.step()
    np.testing.assert_allclose(param.data - before, [-3.0, 4.0, 0.0])  # norm 50 -> 5


def test_only_one_kind_of_clipping() -> None:
    with pytest.raises(ValueError, match="only one of clipnorm, clipvalue and global_clipnorm"):
        optimizers.Adam(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match=r"clipnorm must be a number in \[0.0, inf\]"):
        optimizers.Adam(clipnorm=-1.0)


# ---------------------------------------------------------------- learning-rate schedules
def test_exponential_decay_as_keras() -> None:
    schedule = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert schedule(0) == 0.1
    assert schedule(5) == pytest.approx(0.1 * 0.5**0.5)
    assert schedule(20) == pytest.approx(0.025)
    stairs = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert [stairs(step) for step in (0, 9, 10, 19, 20)] == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025]
    )


def test_piecewise_constant_decay_as_keras() -> None:
    schedule = schedules.PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.1])
    assert [schedule(step) for step in range(7)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.1, 0.1]


def test_schedule_errors() -> None:
    with pytest.raises(ValueError, match="needs one more value than boundaries, got 2 bound"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"boundaries must increase, got \[3, 2\]"):
        schedules.PiecewiseConstantDecay([3, 2], [1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match="decay_steps must be positive, got 0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)


def test_an_optimizer_evaluates_its_schedule_at_iterations() -> None:
    schedule = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    got, optimizer = run(optimizers.SGD, learning_rate=schedule, momentum=0.9)
    assert_same_history(got, reference(*sgd(0.9), lr=schedule))
    assert optimizer.learning_rate is schedule
    assert optimizer.current_learning_rate == pytest.approx(schedule(STEPS))


def test_a_callable_of_the_step_is_a_learning_rate() -> None:
    def warm_up(step: int) -> float:
        return 0.001 * (step + 1)

    got, optimizer = run(optimizers.Adam, learning_rate=warm_up)
    assert_same_history(got, reference(*adam(), lr=warm_up))
    assert optimizer.current_learning_rate == pytest.approx(0.001 * (STEPS + 1))


def test_piecewise_schedule_in_rmsprop() -> None:
    schedule = schedules.PiecewiseConstantDecay([1, 3], [0.1, 0.01, 0.001])
    got, _ = run(optimizers.RMSprop, learning_rate=schedule)
    assert_same_history(got, reference(*rmsprop(), lr=schedule))


def test_learning_rate_can_be_assigned() -> None:
    optimizer = optimizers.SGD(learning_rate=0.1)
    optimizer.learning_rate = np.float32(0.5)
    assert type(optimizer.learning_rate) is float and optimizer.current_learning_rate == 0.5
    with pytest.raises(TypeError, match="learning_rate must be a number, a schedule"):
        optimizer.learning_rate = "fast"
    with pytest.raises(ValueError, match="learning_rate must be a number in"):
        optimizers.SGD(learning_rate=-0.1)
    assert optimizers.schedules is schedules and nn.schedules is schedules


def test_python_float_hyperparameters_do_not_upcast_float32() -> None:
    param = Tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    param.grad = Tensor(np.ones(4, dtype=np.float32))
    optimizer = optimizers.Adam([param], learning_rate=np.float64(0.1))
    optimizer.step()
    assert param.data.dtype == np.float32


def test_float32_rmsprop_gives_the_same_bits_as_numpy_with_python_floats() -> None:
    """The 0-d constants change the speed, not the numbers: same order, same rounding."""
    lr, rho, epsilon = 0.01, 0.8, 1e-7
    param = Tensor(START[0].astype(np.float32), requires_grad=True)
    optimizer = optimizers.RMSprop([param], learning_rate=lr, rho=rho, epsilon=epsilon)
    p, v = START[0].astype(np.float32), np.zeros((3, 4), dtype=np.float32)
    for step in range(STEPS):
        g = GRADIENTS[step][0].astype(np.float32)
        param.grad = Tensor(g)
        optimizer.step()
        v = v * rho + np.square(g) * (1.0 - rho)
        p = p - g / np.sqrt(v + epsilon) * lr
        np.testing.assert_array_equal(param.data, p, err_msg=f"step {step}")
        assert p.dtype == np.float32


# ---------------------------------------------------------------- use by hand
def test_parameters_without_a_gradient_are_skipped() -> None:
    first, second = (Tensor(np.ones(2), requires_grad=True) for _ in range(2))
    first.grad = Tensor(np.ones(2))
    optimizer = optimizers.RMSprop([first, second], learning_rate=0.1)
    optimizer.step()
    np.testing.assert_array_equal(second.data, np.ones(2))
    assert (first.data < 1).all() and optimizer.iterations == 1


def test_training_by_hand_with_a_model() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32) + 0.3
    model = nn.Dense(1, input_shape=(3,))
    optimizer = optimizers.SGD(model.parameters(), learning_rate=0.05, momentum=0.9)
    first = None
    for _ in range(200):
        loss = nn.losses.mse(y, model(Tensor(x)))
        first = first if first is not None else loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 1e-3 * first
    assert all(p.grad is not None for p in model.parameters())
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_a_module_can_be_passed_instead_of_its_parameters() -> None:
    model = nn.Dense(2, input_shape=(3,))
    assert optimizers.SGD(model).params == model.parameters()


def test_updates_count_as_in_place_changes_for_the_engine() -> None:
    param = Tensor(np.ones(3), requires_grad=True)
    loss = (param * param).sum()
    param.grad = Tensor(np.ones(3))
    optimizers.SGD([param]).step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_set_parameters_keeps_the_state_of_known_parameters() -> None:
    first = Tensor(np.ones(2), requires_grad=True)
    first.grad = Tensor(np.ones(2))
    optimizer = optimizers.Adam([first])
    optimizer.step()
    state = optimizer.state[0]
    second = Tensor(np.ones(3), requires_grad=True)
    optimizer.set_parameters([first, second, first])
    assert optimizer.params == [first, second]
    assert optimizer.state[0] is state and optimizer.state[1]["m"].shape == (3,)


def test_get_by_name_instance_or_class() -> None:
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("Adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    instance = optimizers.SGD(learning_rate=0.3)
    assert optimizers.get(instance) is instance
    assert isinstance(optimizers.get(optimizers.Adam), optimizers.Adam)
    assert optimizers.get("adam").name == "adam"
    assert repr(instance) == "SGD(learning_rate=0.3, momentum=0.0, nesterov=False)"


def test_error_messages() -> None:
    with pytest.raises(
        ValueError, match="Unknown optimizer 'adadelta'; valid names: adagrad, adam, "
    ):
        optimizers.get("adadelta")
    with pytest.raises(TypeError, match="expected an optimizer name or instance, got float"):
        optimizers.get(0.1)
    assert optimizers.SGD(0.1).learning_rate == 0.1  # Keras's first argument: the rate
    with pytest.raises(TypeError, match="parameter 1 is not a Tensor .got ndarray."):
        optimizers.SGD([Tensor(np.ones(2), requires_grad=True), np.ones(2)])
    weight = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match="parameter 0 was computed by an operation"):
        optimizers.SGD([weight * 2])
    with pytest.raises(RuntimeError, match=r"SGD.step: no parameters to update"):
        optimizers.SGD().step()
    with pytest.raises(
        ValueError, match=r"SGD: momentum must be a number in \[0.0, 1.0\], got 1.5"
    ):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match=r"Adam: beta_1 must be a number in \[0.0, 1.0\]"):
        optimizers.Adam(beta_1=-0.1)
    with pytest.raises(ValueError, match=r"RMSprop: rho must be a number"):
        optimizers.RMSprop(rho=2)


# ---------------------------------------------------------------- Keras 2's names (issue 15)
@pytest.mark.parametrize("optimizer", [optimizers.SGD, optimizers.RMSprop, optimizers.Adam])
def test_keras_2_argument_names_get_an_error_naming_the_new_one(optimizer):
    name = optimizer.__name__
    with pytest.raises(TypeError, match=rf"^{name}: `lr` is Keras 2's name.*learning_rate="):
        optimizer(lr=0.01)
    with pytest.raises(TypeError, match=rf"^{name}: `decay` is Keras 2's name.*schedules"):
        optimizer(learning_rate=0.01, decay=1e-4)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'momentun'"):
        optimizer(momentun=0.9)


@pytest.mark.parametrize("cls", [optimizers.Adam, optimizers.AdamW, optimizers.Nadam])
@pytest.mark.parametrize("argument, value", [("beta_1", 1.5), ("beta_2", -0.1), ("epsilon", -1e-7)])
def test_adam_family_checks_its_shared_arguments(cls, argument, value):
    # One helper checks beta_1, beta_2 and epsilon for the whole Adam family.
    with pytest.raises(
        ValueError, match=rf"^{cls.__name__}: {argument} must be a number in .*got {value}"
    ):
        cls(learning_rate=0.1, **{argument: value})


def test_nadam_resumes_exactly_from_a_backup(tmp_path):
    # Nadam's running product U_t is saved with the step count (it was lost: a resumed run
    # took different steps from an uninterrupted one).
    from tinygrad_edu import manual_seed
    from tinygrad_edu.nn.backup_and_restore import BackupAndRestore
    from tinygrad_edu.nn.callbacks import Callback

    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)

    class Interrupted(Exception):
        pass

    class StopAfterTwoEpochs(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise Interrupted

    def model():
        manual_seed(0)
        made = nn.Sequential([nn.Dense(1, input_shape=(3,))])
        made.compile(optimizer=optimizers.Nadam(0.1), loss="mse")
        return made

    whole = model()
    whole.fit(x, y, epochs=4, verbose=0, shuffle=False)
    with pytest.raises(Interrupted):
        model().fit(
            x, y, epochs=4, verbose=0, shuffle=False,
            callbacks=[BackupAndRestore(tmp_path), StopAfterTwoEpochs()],
        )  # fmt: skip
    resumed = model()
    resumed.fit(x, y, epochs=4, verbose=0, shuffle=False, callbacks=[BackupAndRestore(tmp_path)])
    np.testing.assert_array_equal(resumed.get_weights()[0], whole.get_weights()[0])
